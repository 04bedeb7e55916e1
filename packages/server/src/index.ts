// Public API of @ovsdb-web/server.
export {};
