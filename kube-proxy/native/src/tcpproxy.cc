// kube-proxy's TCP data plane (see kube-proxy/native/index.ts for the JS API): one thread with an
// epoll loop accepts on the service listeners, picks an endpoint (round robin, ClientIP affinity,
// the next endpoint after a refused or timed-out connect, RST when none), connects, and moves the
// bytes both ways with splice(2) through a pipe (no copy into user space, back-pressure through
// the pipe, half-close with shutdown(SHUT_WR)). JavaScript owns the policy: it pushes each service
// port's usable endpoint lists into a balancer and reads the per-listener counters; the thread
// never calls into JavaScript.
#include <napi.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

struct Endpoint {
  uint32_t ip;    // network byte order
  uint16_t port;  // host byte order
  bool operator==(const Endpoint& o) const { return ip == o.ip && port == o.port; }
};
uint64_t Key(const Endpoint& e) { return (static_cast<uint64_t>(e.ip) << 16) | e.port; }
using EpList = std::shared_ptr<const std::vector<Endpoint>>;

struct Affinity { Endpoint ep; int64_t lastMs; };

// One service port's endpoint choice, shared by its listeners (ClusterIP, NodePort, ...) as the
// JS LoadBalancer is: the same affinity table and round-robin position per traffic kind.
struct Balancer {
  int refs = 1;  // the JS handle + listeners + connections choosing an endpoint
  EpList lists[2] = {std::make_shared<std::vector<Endpoint>>(), std::make_shared<std::vector<Endpoint>>()};
  size_t next[2] = {0, 0};
  int64_t affinityMs = 0;
  std::unordered_map<uint32_t, Affinity> affinity;

  // Index in list of the first endpoint to try for clientIp.
  size_t Pick(int kind, uint32_t clientIp) {
    const auto& list = *lists[kind];
    if (affinityMs > 0) {
      auto it = affinity.find(clientIp);
      if (it != affinity.end() && NowMs() - it->second.lastMs <= affinityMs) {
        for (size_t i = 0; i < list.size(); i++) if (list[i] == it->second.ep) return i;
      }
    }
    size_t first = next[kind] % list.size();
    next[kind] = (first + 1) % list.size();
    return first;
  }

  void Served(uint32_t clientIp, const Endpoint& ep) {
    if (affinityMs <= 0) return;
    int64_t now = NowMs();
    // Expired entries are otherwise only replaced when their client returns: bound the map.
    if (affinity.size() >= 10000) {
      for (auto it = affinity.begin(); it != affinity.end();) {
        if (now - it->second.lastMs > affinityMs) it = affinity.erase(it); else ++it;
      }
    }
    affinity[clientIp] = Affinity{ep, now};
  }
};

enum { kListener = 1, kConn = 2 };
enum { kActive, kTotal, kBytesIn, kBytesOut, kConnectErrors, kRejected, kOpen, kStats };

struct Conn;

struct Listener {
  int type = kListener;
  int id = 0;
  int fd = -1;
  Balancer* balancer = nullptr;
  int kind = 0;  // 0 internal, 1 external
  int connectTimeoutMs = 2000;
  double stats[kStats] = {0};
  std::unordered_set<Conn*> conns;
  bool freed = false;
};

// One direction of a spliced connection: src → pipe → dst.
struct Dir {
  int pr = -1, pw = -1;
  size_t pending = 0;  // bytes in the pipe
  bool eof = false;    // src sent FIN
  bool done = false;   // FIN passed on to dst
};

struct Conn {
  int type = kConn;
  Listener* l = nullptr;
  Balancer* b = nullptr;  // held while connecting (affinity is recorded on success)
  int client = -1, up = -1;
  uint32_t clientIp = 0;
  EpList cands;
  size_t first = 0, attempt = 0;
  int64_t deadline = 0;
  bool connected = false, dead = false;
  Dir in, out;  // in: client → endpoint, out: endpoint → client
};

// 1 MiB pipes: fewer, larger splices for bulk streams (in noisy iperf3 runs through a ClusterIP,
// 256 KiB and 4 MiB did no better).
constexpr int kPipeSize = 1 << 20;
constexpr size_t kPipePool = 128;
// Fixed 4 MiB socket buffers (the kernel caps them at net.core.rmem_max / wmem_max and doubles
// them) instead of autotuning from small ones: the client, this thread and the endpoint are three
// stages sharing the CPUs, and with room to run ahead a stage that waits for a CPU does not stall
// the others. iperf3 through a ClusterIP, alternating runs at load 4-6: 0.63x -> 0.76x direct.
// Memory is only taken by bytes actually queued.
constexpr int kSockBuf = 4 << 20;

void SetBuffers(int fd) {
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSockBuf, sizeof kSockBuf);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSockBuf, sizeof kSockBuf);
}

// Engine state lives on the heap and is never destroyed: the thread may still be in epoll_wait
// while the process exits, and static destructors must not pull the maps from under it.
struct State {
  std::mutex mu;
  std::unordered_map<int, Listener*> listeners;
  std::unordered_map<int, Balancer*> balancers;
  std::unordered_set<Conn*> connecting;
  std::vector<Conn*> deadConns;
  std::vector<Listener*> graveyard;
  std::vector<std::pair<int, int>> pipePool;
};
State& st = *new State();
std::mutex& mu = st.mu;
auto& listeners = st.listeners;
auto& balancers = st.balancers;
auto& connecting = st.connecting;
auto& deadConns = st.deadConns;
auto& graveyard = st.graveyard;
auto& pipePool = st.pipePool;
int epfd = -1;
int nextId = 1;

void Unref(Balancer* b) {
  if (b && --b->refs == 0) delete b;
}

void MaybeFreeListener(Listener* l) {
  if (l->freed && l->conns.empty() && l->fd < 0) {
    Unref(l->balancer);
    l->balancer = nullptr;
    graveyard.push_back(l);  // deleted before the next epoll_wait: this batch may still name it
  }
}

void CloseFd(int& fd) {
  if (fd < 0) return;
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  fd = -1;
}

bool GetPipe(Dir& d) {
  if (d.pr >= 0) return true;
  if (!pipePool.empty()) {
    d.pr = pipePool.back().first;
    d.pw = pipePool.back().second;
    pipePool.pop_back();
    return true;
  }
  int p[2];
  if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  fcntl(p[1], F_SETPIPE_SZ, kPipeSize);  // larger splices; the default 64 KiB still works
  d.pr = p[0];
  d.pw = p[1];
  return true;
}

void PutPipe(Dir& d) {
  if (d.pr < 0) return;
  if (d.pending == 0 && pipePool.size() < kPipePool) {
    pipePool.emplace_back(d.pr, d.pw);
  } else {
    close(d.pr);
    close(d.pw);
  }
  d.pr = d.pw = -1;
}

// Ends a connection: reset = the client gets a RST (no endpoint could take it).
void Kill(Conn* c, bool reset = false) {
  if (c->dead) return;
  c->dead = true;
  connecting.erase(c);
  if (reset && c->client >= 0) {
    linger lg{1, 0};
    setsockopt(c->client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  CloseFd(c->client);
  CloseFd(c->up);
  PutPipe(c->in);
  PutPipe(c->out);
  if (c->connected) c->l->stats[kActive]--;
  Unref(c->b);
  c->b = nullptr;
  c->l->conns.erase(c);
  MaybeFreeListener(c->l);
  deadConns.push_back(c);
}

void StartSplice(Conn* c);

// Connects to candidate number c->attempt; on failure moves on to the next; none left → RST.
void TryConnect(Conn* c) {
  const auto& list = *c->cands;
  while (c->attempt < list.size()) {
    const Endpoint& ep = list[(c->first + c->attempt) % list.size()];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetBuffers(fd);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = ep.ip;
    sa.sin_port = htons(ep.port);
    int r = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (r == 0 || errno == EINPROGRESS) {
      c->up = fd;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = c;
      epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
      if (r == 0) { StartSplice(c); return; }
      c->deadline = NowMs() + c->l->connectTimeoutMs;
      connecting.insert(c);
      return;
    }
    close(fd);
    c->l->stats[kConnectErrors]++;
    c->attempt++;
  }
  c->l->stats[kRejected]++;
  Kill(c, true);
}

void ConnectFailed(Conn* c) {
  connecting.erase(c);
  CloseFd(c->up);
  c->l->stats[kConnectErrors]++;
  c->attempt++;
  TryConnect(c);
}

// Moves what can be moved in one direction; false = the connection failed.
bool Pump(Dir& d, int src, int dst, double& bytes) {
  if (d.done) return true;
  if (!GetPipe(d)) return false;
  for (;;) {
    while (d.pending > 0) {
      ssize_t n = splice(d.pr, nullptr, dst, nullptr, d.pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) { d.pending -= n; continue; }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;  // dst is full: wait for EPOLLOUT
      return false;
    }
    if (d.eof) {
      shutdown(dst, SHUT_WR);
      d.done = true;
      return true;
    }
    ssize_t n = splice(src, nullptr, d.pw, nullptr, kPipeSize, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) { d.pending += n; bytes += n; continue; }
    if (n == 0) { d.eof = true; continue; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;  // the pipe is empty here, so src has nothing: wait for EPOLLIN
    return false;
  }
}

void PumpBoth(Conn* c) {
  double* s = c->l->stats;
  if (!Pump(c->in, c->client, c->up, s[kBytesIn]) || !Pump(c->out, c->up, c->client, s[kBytesOut])) { Kill(c); return; }
  if (c->in.done && c->out.done) Kill(c);
}

void StartSplice(Conn* c) {
  connecting.erase(c);
  c->connected = true;
  const Endpoint& ep = (*c->cands)[(c->first + c->attempt) % c->cands->size()];
  c->b->Served(c->clientIp, ep);
  Unref(c->b);
  c->b = nullptr;
  c->cands.reset();
  c->l->stats[kTotal]++;
  c->l->stats[kActive]++;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = c;
  epoll_ctl(epfd, EPOLL_CTL_ADD, c->client, &ev);
  PumpBoth(c);
}

void OnConn(Conn* c, uint32_t events) {
  if (c->dead) return;
  if (c->connected) { PumpBoth(c); return; }
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->up, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) { ConnectFailed(c); return; }
  if (events & (EPOLLERR | EPOLLHUP)) { ConnectFailed(c); return; }
  if (events & EPOLLOUT) StartSplice(c);
}

void OnAccept(Listener* l) {
  for (int i = 0; i < 64 && l->fd >= 0; i++) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    int fd = accept4(l->fd, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an error the next accept reports again
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Balancer* b = l->balancer;
    if (!b || b->lists[l->kind]->empty()) {
      l->stats[kRejected]++;
      linger lg{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      close(fd);
      continue;
    }
    Conn* c = new Conn();
    c->l = l;
    c->b = b;
    b->refs++;
    c->client = fd;
    c->clientIp = sa.sin_family == AF_INET ? sa.sin_addr.s_addr : 0;
    c->cands = b->lists[l->kind];
    c->first = b->Pick(l->kind, c->clientIp);
    l->conns.insert(c);
    TryConnect(c);
  }
}

void Loop() {
  epoll_event evs[256];
  for (;;) {
    int timeout = -1;
    {
      std::lock_guard<std::mutex> g(mu);
      for (Listener* l : graveyard) delete l;
      graveyard.clear();
      if (!connecting.empty()) {
        int64_t now = NowMs(), first = INT64_MAX;
        for (Conn* c : connecting) first = std::min(first, c->deadline);
        timeout = static_cast<int>(std::max<int64_t>(0, first - now));
      }
    }
    int n = epoll_wait(epfd, evs, 256, timeout);
    std::lock_guard<std::mutex> g(mu);
    for (int i = 0; i < n; i++) {
      int type = *static_cast<int*>(evs[i].data.ptr);
      if (type == kListener) {
        Listener* l = static_cast<Listener*>(evs[i].data.ptr);
        if (l->fd >= 0) OnAccept(l);
      } else {
        OnConn(static_cast<Conn*>(evs[i].data.ptr), evs[i].events);
      }
    }
    if (!connecting.empty()) {
      int64_t now = NowMs();
      std::vector<Conn*> expired;
      for (Conn* c : connecting) if (c->deadline <= now) expired.push_back(c);
      for (Conn* c : expired) if (!c->dead) ConnectFailed(c);
    }
    for (Conn* c : deadConns) delete c;
    deadConns.clear();
  }
}

void EnsureEngine() {
  if (epfd >= 0) return;
  // Every proxied connection holds two sockets and up to two pipes: lift the soft fd limit to the
  // hard one, as Go programs (kube-proxy) do at start.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  std::thread(Loop).detach();
}

Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err, const std::string& where) {
  const char* code = err == EADDRINUSE ? "EADDRINUSE" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : err == EACCES ? "EACCES" : "EIO";
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + " " + code + ": " + strerror(err) + " " + where);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

// Endpoints from a flat array [ip(uint32, host order), port, ...].
EpList ReadList(const Napi::Value& v) {
  auto out = std::make_shared<std::vector<Endpoint>>();
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i + 1 < a.Length(); i += 2) {
    uint32_t ip = a.Get(i).As<Napi::Number>().Uint32Value();
    uint32_t port = a.Get(i + 1).As<Napi::Number>().Uint32Value();
    out->push_back(Endpoint{htonl(ip), static_cast<uint16_t>(port)});
  }
  return out;
}

// balancer() → id
Napi::Value NewBalancer(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  EnsureEngine();
  int id = nextId++;
  balancers[id] = new Balancer();
  return Napi::Number::New(info.Env(), id);
}

// setBalancer(id, internal, external, affinityMs, live): live = every endpoint of the service
// port (affinity to an endpoint that left is forgotten, so the client moves on).
Napi::Value SetBalancer(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  auto it = balancers.find(info[0].As<Napi::Number>().Int32Value());
  if (it == balancers.end()) return info.Env().Undefined();
  Balancer* b = it->second;
  int64_t affinityMs = info[3].As<Napi::Number>().Int64Value();
  if (affinityMs != b->affinityMs) b->affinity.clear();
  b->affinityMs = affinityMs;
  for (int k = 0; k < 2; k++) {
    b->lists[k] = ReadList(info[1 + k]);
    if (b->next[k] >= b->lists[k]->size()) b->next[k] = 0;
  }
  if (!b->affinity.empty()) {
    std::unordered_set<uint64_t> live;
    for (const Endpoint& e : *ReadList(info[4])) live.insert(Key(e));
    for (auto a = b->affinity.begin(); a != b->affinity.end();) {
      if (!live.count(Key(a->second.ep))) a = b->affinity.erase(a); else ++a;
    }
  }
  return info.Env().Undefined();
}

// freeBalancer(id): the JS side is done with it (listeners still using it keep it).
Napi::Value FreeBalancer(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  auto it = balancers.find(info[0].As<Napi::Number>().Int32Value());
  if (it == balancers.end()) return info.Env().Undefined();
  Balancer* b = it->second;
  balancers.erase(it);
  Unref(b);
  return info.Env().Undefined();
}

// listen(host, port, balancerId, external, connectTimeoutMs) → id; throws the bind error.
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  std::string where = host + ":" + std::to_string(port);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    Napi::TypeError::New(env, "not an IPv4 address: " + host).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ErrnoError(env, "socket", errno, where).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  SetBuffers(fd);  // accepted sockets inherit them (and the window scale offered in the SYN-ACK)
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    close(fd);
    ErrnoError(env, "listen", err, where).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (listen(fd, 4096) != 0) {
    int err = errno;
    close(fd);
    ErrnoError(env, "listen", err, where).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> g(mu);
  EnsureEngine();
  Listener* l = new Listener();
  l->id = nextId++;
  l->fd = fd;
  auto b = balancers.find(info[2].As<Napi::Number>().Int32Value());
  if (b != balancers.end()) { l->balancer = b->second; b->second->refs++; }
  l->kind = info[3].ToBoolean() ? 1 : 0;
  l->connectTimeoutMs = info[4].As<Napi::Number>().Int32Value();
  l->stats[kOpen] = 1;
  listeners[l->id] = l;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = l;
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  return Napi::Number::New(env, l->id);
}

Listener* Find(const Napi::CallbackInfo& info) {
  auto it = listeners.find(info[0].As<Napi::Number>().Int32Value());
  return it == listeners.end() ? nullptr : it->second;
}

// close(id): stops accepting; connections live on (they drain).
Napi::Value Close(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  if (Listener* l = Find(info)) { CloseFd(l->fd); l->stats[kOpen] = 0; }
  return info.Env().Undefined();
}

// destroy(id): stops accepting and closes every connection of the listener.
Napi::Value Destroy(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  if (Listener* l = Find(info)) {
    CloseFd(l->fd);
    l->stats[kOpen] = 0;
    std::vector<Conn*> all(l->conns.begin(), l->conns.end());
    for (Conn* c : all) Kill(c);
  }
  return info.Env().Undefined();
}

// stats(id, out: Float64Array): active, total, bytesIn, bytesOut, connectErrors, rejected, open,
// connections (also those still connecting).
Napi::Value Stats(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  Listener* l = Find(info);
  Napi::Float64Array out = info[1].As<Napi::Float64Array>();
  if (!l || out.ElementLength() < kStats + 1) return Napi::Boolean::New(info.Env(), false);
  for (int i = 0; i < kStats; i++) out[i] = l->stats[i];
  out[kStats] = static_cast<double>(l->conns.size());
  return Napi::Boolean::New(info.Env(), true);
}

// free(id): forget the listener (closed first); connections still open end on their own.
Napi::Value Free(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> g(mu);
  if (Listener* l = Find(info)) {
    listeners.erase(l->id);
    CloseFd(l->fd);
    l->freed = true;
    MaybeFreeListener(l);
  }
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("balancer", Napi::Function::New(env, NewBalancer));
  exports.Set("setBalancer", Napi::Function::New(env, SetBalancer));
  exports.Set("freeBalancer", Napi::Function::New(env, FreeBalancer));
  exports.Set("listen", Napi::Function::New(env, Listen));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("destroy", Napi::Function::New(env, Destroy));
  exports.Set("stats", Napi::Function::New(env, Stats));
  exports.Set("free", Napi::Function::New(env, Free));
  return exports;
}

}  // namespace

NODE_API_MODULE(tcpproxy, Init)
