//! Runnable programs for cognito-gatekeeper; see the binaries in `src/bin/`.
