// Public API of sim/ (re-exports only).
export {};
