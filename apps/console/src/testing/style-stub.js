// What a stylesheet import is in jest (Vite bundles the real one): nothing.
module.exports = {};
