//! Placeholder: APK signature schemes v1/v2/v3/v3.1.
