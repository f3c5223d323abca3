.class public Lcom/example/v1only/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# Calls into a class that lives only in classes2.dex.
.method protected onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-static {p0}, Lcom/example/v1only/extra/Helper;->androidId(Landroid/content/Context;)Ljava/lang/String;
    return-void
.end method
