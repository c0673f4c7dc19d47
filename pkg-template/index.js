// The package's API: the module's exports, without its loader.
export {
  TcbClient,
  getFuncConfig,
  uploadFuncConfig,
  listFunctions,
  diffConfigs,
  isTcbError,
  parseCron,
  nextRuns,
  decryptPush,
  stableToken,
  authorizerToken,
} from "./tcb_funcconfig.js";
