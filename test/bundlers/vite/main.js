// Vite serves only what lies under its root in dev; the shared app is one folder up.
import '../app/page.js';
