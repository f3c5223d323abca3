.class public Lcom/example/tiny/Main;
.super Landroid/app/Activity;
.implements Lcom/example/tiny/Callback;

# Hand-written so every instruction format the DEX walk cares about occurs
# at least once; see tests/data/dex/README.md.

.field private static sCount:I
.field private mName:Ljava/lang/String;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public static native nativeHook(I)V
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 8
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    const-string v0, "phone"
    invoke-virtual {p0, v0}, Lcom/example/tiny/Main;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;
    move-result-object v1
    sget-object v2, Landroid/os/Build;->SERIAL:Ljava/lang/String;
    iget-object v3, p0, Lcom/example/tiny/Main;->mName:Ljava/lang/String;
    sget v4, Lcom/example/tiny/Main;->sCount:I
    const-class v5, Landroid/provider/Settings$Secure;
    const-string/jumbo v2, "https://jumbo.example.test/path"
    const-wide v4, 0x123456789abcdefL
    invoke-static/range {v0 .. v2}, Lcom/example/tiny/Main;->helper(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)V
    invoke-virtual/range {p0 .. p0}, Lcom/example/tiny/Main;->finish()V
    const/4 v4, 0x1
    packed-switch v4, :pswitch
    sparse-switch v4, :sswitch
    const/4 v4, 0x3
    new-array v4, v4, [I
    fill-array-data v4, :array
    goto/32 :end
    :end
    return-void

    :pswitch
    .packed-switch 0x0
        :end
        :end
        :end
    .end packed-switch

    :sswitch
    .sparse-switch
        0x1 -> :end
        0x100 -> :end
    .end sparse-switch

    :array
    .array-data 4
        0x1
        0x2
        0x3
    .end array-data
.end method

.method public static helper(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)V
    .registers 4
    const-string v0, "\u0000nul and \ud83d\ude00 emoji"
    check-cast p0, Lcom/example/tiny/Callback;
    invoke-interface {p0}, Lcom/example/tiny/Callback;->onDone()V
    invoke-interface/range {p0 .. p0}, Lcom/example/tiny/Callback;->onDone()V
    return-void
.end method

.method public static modern(Ljava/lang/invoke/MethodHandle;)V
    .registers 4
    const/4 v0, 0x7
    invoke-polymorphic {p0, v0}, Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;, (I)V
    invoke-polymorphic/range {p0 .. p0}, Ljava/lang/invoke/MethodHandle;->invokeExact([Ljava/lang/Object;)Ljava/lang/Object;, ()V
    invoke-custom {v0}, call_site_0("run", (I)V, "extra")@Lcom/example/tiny/Main;->bootstrap(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;
    invoke-custom/range {v0 .. v0}, call_site_0("run", (I)V, "extra")@Lcom/example/tiny/Main;->bootstrap(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;
    const-method-handle v1, invoke-static@Ljava/lang/Integer;->toString(I)Ljava/lang/String;
    const-method-type v1, (II)I
    return-void
.end method

.method public static bootstrap(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;
    .registers 4
    const/4 v0, 0x0
    return-object v0
.end method

.method public onDone()V
    .registers 1
    return-void
.end method
