// Device-level calls: create TUN/TAP devices and UDP sockets (optionally inside another
// network namespace) and read or change a link's MTU, flags, IPv4 address and MAC with ioctl.
#include "netdev.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "netns.h"

namespace {

Napi::Value Fail(Napi::Env env, const std::string& what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

std::string OptString(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

bool OptBool(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

Napi::Object OptObject(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() > i && info[i].IsObject()) return info[i].As<Napi::Object>();
  return Napi::Object::New(info.Env());
}

bool ParseMac(const std::string& s, unsigned char out[6]) {
  unsigned int b[6];
  if (sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) return false;
  for (int i = 0; i < 6; i++) {
    if (b[i] > 255) return false;
    out[i] = static_cast<unsigned char>(b[i]);
  }
  return true;
}

void FillName(struct ifreq* ifr, const std::string& name) {
  memset(ifr, 0, sizeof(*ifr));
  strncpy(ifr->ifr_name, name.c_str(), IFNAMSIZ - 1);
}

}  // namespace

Napi::Value OpenTun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (name.size() >= IFNAMSIZ) return Fail(env, "interface name too long: " + name, EINVAL);
  Napi::Object opts = OptObject(info, 1);
  NetnsGuard ns(OptString(opts, "netns"));
  if (!ns.error().empty()) return Fail(env, ns.error(), errno ? errno : EINVAL);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Fail(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  FillName(&ifr, name);
  ifr.ifr_flags = (OptBool(opts, "tap") ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
  bool offload = OptBool(opts, "offload");
  if (OptBool(opts, "vnetHdr") || offload) ifr.ifr_flags |= IFF_VNET_HDR;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return Fail(env, "TUNSETIFF " + name, err);
  }
  // With offloads the kernel hands over TCP super-packets (up to 64 KB) with a virtio_net_hdr
  // and may leave checksums to us: the userspace side segments and checksums them.
  if (offload && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) < 0) {
    int err = errno;
    close(fd);
    return Fail(env, "TUNSETOFFLOAD " + name, err);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("name", Napi::String::New(env, ifr.ifr_name));
  return out;
}

Napi::Value OpenUdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int port = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  if (port < 0 || port > 65535) return Fail(env, "bad UDP port", EINVAL);
  Napi::Object opts = OptObject(info, 1);
  NetnsGuard ns(OptString(opts, "netns"));
  if (!ns.error().empty()) return Fail(env, ns.error(), errno ? errno : EINVAL);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(env, "socket", errno);
  // Big socket buffers absorb bursts while JavaScript is busy with the previous batch.
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
  Napi::Value sndbuf = opts.Get("sndbuf");
  int snd = sndbuf.IsNumber() ? sndbuf.As<Napi::Number>().Int32Value() : buf;  // small only in tests (EAGAIN)
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd));
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (OptBool(opts, "gro")) {
    // Receive runs of same-size datagrams as one buffer (segment size in a cmsg).
    int one = 1;
    if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0) {
      int err = errno;
      close(fd);
      return Fail(env, "setsockopt UDP_GRO", err);
    }
  }
  std::string bindAddr = OptString(opts, "bindAddress");
  if (!bindAddr.empty() && inet_pton(AF_INET, bindAddr.c_str(), &sa.sin_addr) != 1) {
    close(fd);
    return Fail(env, "bad bind address " + bindAddr, EINVAL);
  }
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) < 0) {
    int err = errno;
    close(fd);
    return Fail(env, "bind UDP " + std::to_string(port), err);
  }
  return Napi::Number::New(env, fd);
}

Napi::Value IfConfig(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return Fail(env, "ifConfig: name required", EINVAL);
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string netns = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  Napi::Object opts = OptObject(info, 2);
  NetnsGuard ns(netns);
  if (!ns.error().empty()) return Fail(env, ns.error(), EINVAL);
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return Fail(env, "socket", errno);
  struct ifreq ifr;
  if (opts.Get("mtu").IsNumber()) {
    FillName(&ifr, name);
    ifr.ifr_mtu = opts.Get("mtu").As<Napi::Number>().Int32Value();
    if (ioctl(s, SIOCSIFMTU, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCSIFMTU " + name, e); }
  }
  std::string mac = OptString(opts, "mac");
  if (!mac.empty()) {
    FillName(&ifr, name);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    if (!ParseMac(mac, reinterpret_cast<unsigned char*>(ifr.ifr_hwaddr.sa_data))) { close(s); return Fail(env, "bad MAC " + mac, EINVAL); }
    if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCSIFHWADDR " + name, e); }
  }
  std::string ipv4 = OptString(opts, "ipv4");
  if (!ipv4.empty()) {
    int prefix = opts.Get("prefix").IsNumber() ? opts.Get("prefix").As<Napi::Number>().Int32Value() : 32;
    if (prefix < 0 || prefix > 32) { close(s); return Fail(env, "bad prefix", EINVAL); }
    FillName(&ifr, name);
    auto* sin = reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_addr);
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, ipv4.c_str(), &sin->sin_addr) != 1) { close(s); return Fail(env, "bad IPv4 " + ipv4, EINVAL); }
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCSIFADDR " + name, e); }
    FillName(&ifr, name);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = prefix == 0 ? 0 : htonl(0xffffffffu << (32 - prefix));
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCSIFNETMASK " + name, e); }
  }
  if (opts.Get("up").IsBoolean()) {
    FillName(&ifr, name);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCGIFFLAGS " + name, e); }
    if (opts.Get("up").As<Napi::Boolean>().Value()) ifr.ifr_flags |= IFF_UP;
    else ifr.ifr_flags &= ~IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCSIFFLAGS " + name, e); }
  }
  close(s);
  return env.Undefined();
}

Napi::Value IfInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return Fail(env, "ifInfo: name required", EINVAL);
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string netns = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  NetnsGuard ns(netns);
  if (!ns.error().empty()) return Fail(env, ns.error(), EINVAL);
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return Fail(env, "socket", errno);
  Napi::Object out = Napi::Object::New(env);
  struct ifreq ifr;
  FillName(&ifr, name);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) { int e = errno; close(s); return Fail(env, "SIOCGIFFLAGS " + name, e); }
  out.Set("up", Napi::Boolean::New(env, (ifr.ifr_flags & IFF_UP) != 0));
  FillName(&ifr, name);
  if (ioctl(s, SIOCGIFMTU, &ifr) == 0) out.Set("mtu", Napi::Number::New(env, ifr.ifr_mtu));
  FillName(&ifr, name);
  if (ioctl(s, SIOCGIFINDEX, &ifr) == 0) out.Set("index", Napi::Number::New(env, ifr.ifr_ifindex));
  FillName(&ifr, name);
  if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
    auto* m = reinterpret_cast<unsigned char*>(ifr.ifr_hwaddr.sa_data);
    char buf[18];
    snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    out.Set("mac", Napi::String::New(env, buf));
  }
  FillName(&ifr, name);
  if (ioctl(s, SIOCGIFADDR, &ifr) == 0) {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_addr)->sin_addr, buf, sizeof(buf));
    out.Set("ipv4", Napi::String::New(env, buf));
    FillName(&ifr, name);
    if (ioctl(s, SIOCGIFNETMASK, &ifr) == 0) {
      uint32_t mask = ntohl(reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_addr)->sin_addr.s_addr);
      out.Set("prefix", Napi::Number::New(env, __builtin_popcount(mask)));
    }
  }
  close(s);
  return out;
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}
