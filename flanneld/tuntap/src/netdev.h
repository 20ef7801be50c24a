#pragma once
#include <napi.h>

// openTun(name, {tap, vnetHdr, netns}) -> {fd, name}
Napi::Value OpenTun(const Napi::CallbackInfo& info);
// openUdp(port, {netns, bindAddress, rcvbuf, sndbuf}) -> fd
Napi::Value OpenUdp(const Napi::CallbackInfo& info);
// ifConfig(name, netns, {mtu, up, ipv4, prefix, mac}) -> undefined
Napi::Value IfConfig(const Napi::CallbackInfo& info);
// ifInfo(name, netns) -> {mtu, up, mac, ipv4, prefix, index}
Napi::Value IfInfo(const Napi::CallbackInfo& info);
// closeFd(fd)
Napi::Value CloseFd(const Napi::CallbackInfo& info);
