.class public Lcom/umeng/analytics/MobclickAgent;
.super Ljava/lang/Object;

# Fake "SDK" class under the real Umeng prefix: lists installed packages.
.method public static onResume(Landroid/content/Context;)V
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;
    const-string v0, "https://alog.umeng.com/app_logs"
    return-void
.end method
