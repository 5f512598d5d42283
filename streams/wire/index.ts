// Public API of streams/wire: Hyperliquid and Binance wire codecs, decoders to the domain
// types, error classification, formatting, signing and action encoding.
export * from "./scalars.js";
export * from "./exchange.js";
export * from "./ws.js";
export * from "./info.js";
export * from "./errors.js";
export * from "./decode.js";
export * from "./decodeUser.js";
export * from "./decodeInfo.js";
export * from "./bookScan.js";
export * from "./exchangeDecode.js";
export * from "./binance.js";
export * from "./msgpack.js";
export * from "./format.js";
export * from "./signing.js";
export { keccak256Bytes, keccak256Hex } from "./keccak.js";
export * from "./nonce.js";
export * from "./encode.js";
export * from "./serve.js";
export * from "./subscriptions.js";
export * from "./userSigned.js";
export * from "./infoRequests.js";
export * from "./hip3.js";
