// The pod network steps of the CNI plugin and the runtime done in-process with system calls and
// rtnetlink instead of running `ip` (each program started from the Node.js process costs a fork of
// a large process: milliseconds per pod): create a named network namespace as `ip netns add` does,
// plug a veth pair into the node bridge, and address the pod's side. Every call is synchronous and
// enters other namespaces on the calling thread only, returning to its own before it returns.
#include <napi.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Failure { std::string what; };

[[noreturn]] void Fail(const std::string& what, int err) { throw Failure{what + ": " + strerror(err)}; }

// Enters a network namespace (by path) on this thread; leaves it when destroyed.
class NetnsGuard {
 public:
  explicit NetnsGuard(const std::string& path) {
    if (path.empty()) return;
    orig_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (orig_ < 0) Fail("open own netns", errno);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) { int e = errno; Restore(); Fail("open netns " + path, e); }
    if (setns(fd, CLONE_NEWNET) < 0) { int e = errno; close(fd); Restore(); Fail("setns " + path, e); }
    close(fd);
  }
  ~NetnsGuard() { Restore(); }

 private:
  void Restore() {
    if (orig_ < 0) return;
    setns(orig_, CLONE_NEWNET);
    close(orig_);
    orig_ = -1;
  }
  int orig_ = -1;
};

// One rtnetlink request: header, a fixed struct, attributes (nests via Begin/End).
class Request {
 public:
  Request(uint16_t type, uint16_t flags) {
    buf_.resize(NLMSG_HDRLEN);
    auto* h = Hdr();
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  }
  template <typename T> T* Body() {
    size_t off = buf_.size();
    buf_.resize(off + NLMSG_ALIGN(sizeof(T)));
    return reinterpret_cast<T*>(&buf_[off]);
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    size_t off = buf_.size();
    buf_.resize(off + RTA_ALIGN(RTA_LENGTH(len)));
    auto* a = reinterpret_cast<rtattr*>(&buf_[off]);
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len) memcpy(RTA_DATA(a), data, len);
  }
  void Str(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  void U32(uint16_t type, uint32_t v) { Attr(type, &v, sizeof v); }
  size_t Begin(uint16_t type) { size_t off = buf_.size(); Attr(type, nullptr, 0); return off; }
  void End(size_t off) { reinterpret_cast<rtattr*>(&buf_[off])->rta_len = buf_.size() - off; }
  template <typename T> T* At(size_t off) { return reinterpret_cast<T*>(&buf_[off]); }
  size_t Size() const { return buf_.size(); }
  nlmsghdr* Hdr() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  std::vector<char>& Bytes() { Hdr()->nlmsg_len = buf_.size(); return buf_; }

 private:
  std::vector<char> buf_;
};

// A NETLINK_ROUTE socket in the namespace the thread is in when it is made.
class Rtnl {
 public:
  Rtnl() {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd_ < 0) Fail("netlink socket", errno);
  }
  ~Rtnl() { close(fd_); }
  // Sends the request and waits for its acknowledgement; throws with `what` on an error.
  void Do(Request& r, const std::string& what) {
    auto& b = r.Bytes();
    r.Hdr()->nlmsg_seq = ++seq_;
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (sendto(fd_, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) Fail(what, errno);
    char reply[8192];
    for (;;) {
      ssize_t n = recv(fd_, reply, sizeof reply, 0);
      if (n < 0) { if (errno == EINTR) continue; Fail(what, errno); }
      for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n)); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_seq != seq_ || h->nlmsg_type != NLMSG_ERROR) continue;
        int err = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        if (err) Fail(what, err);
        return;
      }
    }
  }

 private:
  int fd_;
  uint32_t seq_ = 0;
};

unsigned Index(const std::string& name) {
  unsigned i = if_nametoindex(name.c_str());
  if (!i) Fail("no device " + name, errno ? errno : ENODEV);
  return i;
}

void LinkUp(Rtnl& nl, unsigned index, unsigned master, const std::string& what) {
  Request r(RTM_NEWLINK, 0);
  auto* ifi = r.Body<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  if (master) r.U32(IFLA_MASTER, master);
  nl.Do(r, what);
}

in_addr Addr(const std::string& s) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) throw Failure{"not an IPv4 address: " + s};
  return a;
}

// `ip netns add <name>`: /run/netns made a shared mount point once, a new namespace bound to /run/netns/<name>.
void NetnsAdd(const std::string& name) {
  static const char* kDir = "/run/netns";
  static bool shared = false;
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") throw Failure{"invalid netns name \"" + name + "\""};
  if (mkdir(kDir, 0755) < 0 && errno != EEXIST) Fail("mkdir /run/netns", errno);
  if (!shared) {
    bool made = false;
    while (mount("", kDir, "none", MS_SHARED | MS_REC, nullptr) < 0) {
      if (errno != EINVAL || made) Fail("mount --make-shared /run/netns", errno);
      if (mount(kDir, kDir, "none", MS_BIND | MS_REC, nullptr) < 0) Fail("mount --bind /run/netns", errno);
      made = true;
    }
    shared = true;
  }
  std::string path = std::string(kDir) + "/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) Fail("create " + path, errno);
  close(fd);
  int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (orig < 0) { int e = errno; unlink(path.c_str()); Fail("open own netns", e); }
  int err = 0;
  std::string what;
  if (unshare(CLONE_NEWNET) < 0) { err = errno; what = "unshare net"; }
  else if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) < 0) { err = errno; what = "bind " + path; }
  if (setns(orig, CLONE_NEWNET) < 0 && !err) { err = errno; what = "setns back"; }
  close(orig);
  if (err) { unlink(path.c_str()); Fail(what, err); }
}

// `ip link add <host> mtu M type veth peer name <peer> mtu M netns <pod>; ip link set <host> master <bridge> up`, in `hostNetns` ('' = own).
void VethPlug(const std::string& hostNetns, const std::string& host, const std::string& peer, const std::string& podNetns, uint32_t mtu, const std::string& bridge) {
  int podFd = open(podNetns.c_str(), O_RDONLY | O_CLOEXEC);
  if (podFd < 0) Fail("open netns " + podNetns, errno);
  try {
    NetnsGuard in(hostNetns);
    Rtnl nl;
    Request r(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    r.Body<ifinfomsg>()->ifi_family = AF_UNSPEC;
    r.Str(IFLA_IFNAME, host);
    if (mtu) r.U32(IFLA_MTU, mtu);
    size_t info = r.Begin(IFLA_LINKINFO);
    r.Str(IFLA_INFO_KIND, "veth");
    size_t data = r.Begin(IFLA_INFO_DATA);
    size_t pe = r.Begin(VETH_INFO_PEER);
    r.Body<ifinfomsg>()->ifi_family = AF_UNSPEC;
    r.Str(IFLA_IFNAME, peer);
    if (mtu) r.U32(IFLA_MTU, mtu);
    r.U32(IFLA_NET_NS_FD, static_cast<uint32_t>(podFd));
    r.End(pe);
    r.End(data);
    r.End(info);
    nl.Do(r, "add veth " + host);
    unsigned br = Index(bridge);
    LinkUp(nl, Index(host), br, "set " + host + " master " + bridge + " up");
  } catch (...) {
    close(podFd);
    throw;
  }
  close(podFd);
}

// In the pod's namespace: lo up, <ifName> addressed and up, default route via the gateway.
void PodIfUp(const std::string& netns, const std::string& ifName, const std::string& address, uint32_t prefix, const std::string& gateway) {
  in_addr a = Addr(address), gw = Addr(gateway);
  NetnsGuard in(netns);
  Rtnl nl;
  LinkUp(nl, Index("lo"), 0, "set lo up");
  unsigned idx = Index(ifName);
  {
    Request r(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    auto* ifa = r.Body<ifaddrmsg>();
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = idx;
    r.Attr(IFA_LOCAL, &a, sizeof a);
    r.Attr(IFA_ADDRESS, &a, sizeof a);
    nl.Do(r, "add address " + address + "/" + std::to_string(prefix) + " to " + ifName);
  }
  LinkUp(nl, idx, 0, "set " + ifName + " up");
  {
    Request r(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    auto* rt = r.Body<rtmsg>();
    rt->rtm_family = AF_INET;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    r.Attr(RTA_GATEWAY, &gw, sizeof gw);
    r.U32(RTA_OIF, idx);
    nl.Do(r, "add default route via " + gateway);
  }
}

std::string Str(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}
uint32_t U32(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : 0;
}

template <typename F> Napi::Value Guarded(const Napi::CallbackInfo& info, F f) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !(info[0].IsObject() || info[0].IsString())) {
    Napi::TypeError::New(env, "bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  try {
    f();
  } catch (const Failure& e) {
    Napi::Error::New(env, e.what).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Value JsNetnsAdd(const Napi::CallbackInfo& info) {
  return Guarded(info, [&] { NetnsAdd(info[0].ToString().Utf8Value()); });
}
Napi::Value JsVethPlug(const Napi::CallbackInfo& info) {
  return Guarded(info, [&] {
    auto o = info[0].As<Napi::Object>();
    VethPlug(Str(o, "hostNetns"), Str(o, "host"), Str(o, "peer"), Str(o, "podNetns"), U32(o, "mtu"), Str(o, "bridge"));
  });
}
Napi::Value JsPodIfUp(const Napi::CallbackInfo& info) {
  return Guarded(info, [&] {
    auto o = info[0].As<Napi::Object>();
    PodIfUp(Str(o, "netns"), Str(o, "ifName"), Str(o, "address"), U32(o, "prefix"), Str(o, "gateway"));
  });
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("netnsAdd", Napi::Function::New(env, JsNetnsAdd));
  exports.Set("vethPlug", Napi::Function::New(env, JsVethPlug));
  exports.Set("podIfUp", Napi::Function::New(env, JsPodIfUp));
  return exports;
}

NODE_API_MODULE(podnet, Init)
