// The examples as one plugin module: name it in a config's `plugins:` (see examples/config.yaml).
import { definePlugin } from "quoteflow";
import { avellanedaStoikov } from "./avellanedaStoikov.js";
import { toxicityGateOperator } from "./toxicityGate.js";

export const { strategies, operators } = definePlugin({
  strategies: { avellanedaStoikov },
  operators: { toxicityGate: toxicityGateOperator },
});
