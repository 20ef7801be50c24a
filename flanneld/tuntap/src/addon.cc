// Entry point of the kubesim TUN/TAP addon (see flanneld/tuntap/index.ts for the JS API).
#include <napi.h>

#include "netdev.h"
#include "packet_io.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("openTun", Napi::Function::New(env, OpenTun));
  exports.Set("openUdp", Napi::Function::New(env, OpenUdp));
  exports.Set("ifConfig", Napi::Function::New(env, IfConfig));
  exports.Set("ifInfo", Napi::Function::New(env, IfInfo));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("PacketIO", PacketIO::Init(env));
  return exports;
}

NODE_API_MODULE(tuntap, Init)
