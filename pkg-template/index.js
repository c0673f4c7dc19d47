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
  stableToken,
  authorizerToken,
  checkField,
  checkConfig,
  maskConfig,
  maskChanges,
  emptyConfig,
  defaults,
} from "./tcb_funcconfig.js";
