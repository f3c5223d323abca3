/* Fixture for src/formats/elf.rs: a tiny JNI library like one a kids' app
 * might ship. Built by build.sh; the .so files are committed. */

/* bionic's property reader (sys/system_properties.h); left undefined here
 * so that it shows up as an import. */
int __system_property_get(const char *name, char *value);

static const char COLLECT_URL[] = "https://native.example-tracker.test/collect";

/* com.example.kidsdemo.NativeBridge.readId(): reads the serial number. */
const char *Java_com_example_kidsdemo_NativeBridge_readId(void *env, void *thiz)
{
    static char serial[92];
    (void)env;
    (void)thiz;
    __system_property_get("ro.serialno", serial);
    return COLLECT_URL;
}

/* com.example.kidsdemo.NativeBridge.send_event(String, int): an overloaded
 * native, so the long (signature-carrying) mangled form is exercised. */
int Java_com_example_kidsdemo_NativeBridge_send_1event__Ljava_lang_String_2I(void *env, void *thiz,
                                                                             void *name, int value)
{
    (void)env;
    (void)thiz;
    (void)name;
    return value;
}

int JNI_OnLoad(void *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
    return 0x00010006; /* JNI_VERSION_1_6 */
}
