// Entry point of the kubesim TUN/TAP addon (see flanneld/tuntap/index.ts for the JS API).
#include <napi.h>

#include "netdev.h"

Napi::Value CsumPartial(const Napi::CallbackInfo& info);
Napi::Value CopySum(const Napi::CallbackInfo& info);
#include "packet_io.h"
#include "forwarder.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("openTun", Napi::Function::New(env, OpenTun));
  exports.Set("openUdp", Napi::Function::New(env, OpenUdp));
  exports.Set("ifConfig", Napi::Function::New(env, IfConfig));
  exports.Set("ifInfo", Napi::Function::New(env, IfInfo));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("csumPartial", Napi::Function::New(env, CsumPartial));
  exports.Set("copySum", Napi::Function::New(env, CopySum));
  exports.Set("PacketIO", PacketIO::Init(env));
  exports.Set("Forwarder", Forwarder::Init(env));
  return exports;
}

NODE_API_MODULE(tuntap, Init)
