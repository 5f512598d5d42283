// Public API of app/ (re-exports only).
export {};
