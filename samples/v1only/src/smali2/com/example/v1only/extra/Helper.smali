.class public Lcom/example/v1only/extra/Helper;
.super Ljava/lang/Object;

# Lives in classes2.dex: reads ANDROID_ID and holds an https URL.
.method public static androidId(Landroid/content/Context;)Ljava/lang/String;
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    const-string v1, "android_id"
    invoke-static {v0, v1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    const-string v1, "https://second-dex.example.test/collect"
    return-object v0
.end method
