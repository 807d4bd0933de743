// Default for any static web server; scripts/serve_web.py serves its own version of this file.
// socketUrl null: connect to the host the page was loaded from, on rasaPort.
window.TUTOR_CONFIG = { socketUrl: null, rasaPort: 5005 };
