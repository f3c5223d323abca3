.class public interface abstract Lcom/example/tiny/Callback;
.super Ljava/lang/Object;

.method public abstract onDone()V
.end method
