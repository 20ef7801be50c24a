// See forwarder.h. The per-packet work here mirrors flanneld/datapath/{vxlan,udp}-codec.ts and
// tunnel.ts for the plain case; anything else is left to them (the batch goes to JavaScript).
#include "forwarder.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {
constexpr size_t kVnetHdr = 10;  // struct virtio_net_hdr
constexpr size_t kVxlanHdr = 8;
constexpr size_t kEth = 14;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t Be32(const uint8_t* p) { return (static_cast<uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }

bool IsIPv4(const uint8_t* p, size_t len) {
  return len >= 20 && (p[0] >> 4) == 4 && (p[0] & 15) >= 5 && static_cast<size_t>(p[0] & 15) * 4 <= len;
}

// TTL − 1 with the incremental checksum update (RFC 1624), as udp-codec.ts decrementTtl.
void DecrementTtl(uint8_t* ip) {
  ip[8] -= 1;
  uint32_t sum = Be16(ip + 10) + 0x0100;
  sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = static_cast<uint8_t>(sum >> 8);
  ip[11] = static_cast<uint8_t>(sum & 0xff);
}

// Fills the partial checksum a virtio_net_hdr asks for (NEEDS_CSUM): offload.ts completeChecksum.
void CompleteChecksum(uint8_t* frame, size_t len, size_t start, size_t offset) {
  uint64_t acc = 0;
  size_t i = start;
  for (; i + 1 < len; i += 2) acc += Be16(frame + i);
  if (i < len) acc += static_cast<uint32_t>(frame[i]) << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  uint16_t c = static_cast<uint16_t>(~acc & 0xffff);
  if (c == 0) c = 0xffff;
  frame[start + offset] = static_cast<uint8_t>(c >> 8);
  frame[start + offset + 1] = static_cast<uint8_t>(c & 0xff);
}

// A TCP segment with payload: the JavaScript coalescer merges those into super-packets.
int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Adaptive SCHED_BATCH: a batch thread is not let in by preemption, so on a CPU another task
// keeps busy it waits for that task's slice or the next tick (milliseconds). Over each window of
// kPolicyWakeups wake-ups (and at least kPolicyWindowNs) the thread's mean wait on the run queue
// (schedstat run_delay per run) is checked; above kMaxBatchWaitNs in kBadWindows windows in a row
// it goes back to SCHED_OTHER for a cool-down (1 s, doubled when the wait is back within 10 s of
// returning, at most 32 s).
constexpr int kPolicyWakeups = 64;
constexpr int64_t kPolicyWindowNs = 50'000'000;
constexpr int64_t kMaxBatchWaitNs = 300'000;
constexpr int kBadWindows = 2;
constexpr int64_t kCoolDownNs = 1'000'000'000, kMaxCoolDownNs = 32'000'000'000, kRelapseNs = 10'000'000'000;

bool IsTcpData(const uint8_t* ip, size_t len) {
  if (len < 40 || ip[0] != 0x45 || ip[9] != 6) return false;
  size_t tot = Be16(ip + 2), thl = static_cast<size_t>(ip[20 + 12] >> 4) * 4;
  return tot > 20 + thl;
}
}  // namespace

Napi::Function Forwarder::Init(Napi::Env env) {
  return DefineClass(env, "Forwarder", {
      InstanceMethod("start", &Forwarder::Start),
      InstanceMethod("close", &Forwarder::Close),
      InstanceMethod("setPeers", &Forwarder::SetPeers),
      InstanceMethod("setFast", &Forwarder::SetFast),
      InstanceMethod("collect", &Forwarder::Collect),
      InstanceMethod("stats", &Forwarder::Stats),
  });
}

// new Forwarder(deviceIO, udpIO, { kind: 'vxlan' | 'udp', vni, subnetLen, offload })
Forwarder::Forwarder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Forwarder>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsObject() || !info[2].IsObject()) {
    Napi::TypeError::New(env, "Forwarder(deviceIO, udpIO, opts)").ThrowAsJavaScriptException();
    return;
  }
  PacketIO* dev = Napi::ObjectWrap<PacketIO>::Unwrap(info[0].As<Napi::Object>());
  if (env.IsExceptionPending()) return;
  PacketIO* udp = Napi::ObjectWrap<PacketIO>::Unwrap(info[1].As<Napi::Object>());
  if (env.IsExceptionPending()) return;
  if (dev == nullptr || udp == nullptr || dev->udp_ || !udp->udp_ || dev->fd_ < 0 || udp->fd_ < 0) {
    Napi::TypeError::New(env, "Forwarder needs an open device PacketIO and an open UDP PacketIO").ThrowAsJavaScriptException();
    return;
  }
  if (dev->fwd_ != nullptr || udp->fwd_ != nullptr || dev->reading_ || udp->reading_) {
    Napi::Error::New(env, "Forwarder: a PacketIO is already being read").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object opts = info[2].As<Napi::Object>();
  vxlan_ = opts.Get("kind").ToString().Utf8Value() != "udp";
  if (opts.Get("vni").IsNumber()) vni_ = opts.Get("vni").As<Napi::Number>().Uint32Value() & 0xffffff;
  if (opts.Get("subnetLen").IsNumber()) {
    uint32_t l = opts.Get("subnetLen").As<Napi::Number>().Uint32Value();
    mask_ = l == 0 ? 0 : l >= 32 ? 0xffffffffu : ~((1u << (32 - l)) - 1);
  }
  offload_ = opts.Get("offload").ToBoolean().Value();
  if (opts.Get("spinMicros").IsNumber()) {
    double us = opts.Get("spinMicros").As<Napi::Number>().DoubleValue();
    if (!(us >= 0 && us <= 100000)) {
      Napi::RangeError::New(env, "Forwarder: spinMicros must be 0..100000").ThrowAsJavaScriptException();
      return;
    }
    spinNs_ = static_cast<int64_t>(us * 1000);
  }
  schedBatch_ = opts.Get("schedBatch").ToBoolean().Value();
  vxlanHdr_[4] = static_cast<uint8_t>(vni_ >> 16);
  vxlanHdr_[5] = static_cast<uint8_t>(vni_ >> 8);
  vxlanHdr_[6] = static_cast<uint8_t>(vni_);

  ctl_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (ctl_ < 0) {
    Napi::Error::New(env, std::string("eventfd: ") + strerror(errno)).ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  async_ = new uv_async_t;
  uv_async_init(loop, async_, &Forwarder::OnAsync);
  async_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));  // referenced while the thread runs

  dev_ = dev;
  udp_ = udp;
  devRef_ = Napi::Persistent(info[0].As<Napi::Object>());
  udpRef_ = Napi::Persistent(info[1].As<Napi::Object>());
  dev->fwd_ = this;
  udp->fwd_ = this;
  size_t n = std::max(dev->batch_, udp->batch_);
  batchRoutes_.assign(n, nullptr);
  msgs_.assign(n, mmsghdr{});
  iov_.assign(2 * n, iovec{});
  to_.assign(n, sockaddr_in{});
  for (size_t i = 0; i < n; i++) {
    to_[i].sin_family = AF_INET;
    msgs_[i].msg_hdr.msg_name = &to_[i];
    msgs_[i].msg_hdr.msg_namelen = sizeof(to_[i]);
    msgs_[i].msg_hdr.msg_iov = &iov_[2 * i];
  }
}

Forwarder::~Forwarder() {
  // Finalized: nothing holds it any more, so no Unref (refed_ is false, or the env is going away).
  refed_ = false;
  Detach();
}

void Forwarder::Detach() {
  if (detached_) return;
  detached_ = true;
  stop_.store(true);
  Wake();
  if (thread_.joinable()) thread_.join();
  if (ctl_ >= 0) { close(ctl_); ctl_ = -1; }
  if (schedstat_ >= 0) { close(schedstat_); schedstat_ = -1; }
  if (async_ != nullptr) {
    async_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    async_ = nullptr;
  }
  if (dev_ != nullptr && dev_->fwd_ == this) dev_->fwd_ = nullptr;
  if (udp_ != nullptr && udp_->fwd_ == this) udp_->fwd_ = nullptr;
  if (refed_) { refed_ = false; Unref(); }
}

Napi::Value Forwarder::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (detached_ || started_) {
    Napi::Error::New(env, detached_ ? "Forwarder is closed" : "Forwarder already started").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  started_ = true;
  uv_ref(reinterpret_cast<uv_handle_t*>(async_));
  Ref();
  refed_ = true;
  thread_ = std::thread([this] { Run(); });
  return env.Undefined();
}

Napi::Value Forwarder::Close(const Napi::CallbackInfo& info) {
  Detach();
  return info.Env().Undefined();
}

void Forwarder::Wake() {
  if (ctl_ < 0) return;
  uint64_t one = 1;
  ssize_t r = write(ctl_, &one, sizeof(one));
  (void)r;  // EAGAIN: the counter is already non-zero, the thread wakes anyway
}

void Forwarder::Run() {
  pthread_setname_np(pthread_self(), "flannel-fwd");
  if (schedBatch_) {
    if (SetBatch(true)) {
      schedstat_ = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      ReadSchedstat(&winDelay_, &winRuns_);
      winStart_ = NowNs();
    } else {
      schedBatch_ = false;  // not allowed here: stay as we are
    }
  }
  // Busy-polling until spinEnd (monotonic ns; 0 = not spinning) after the last batch.
  int64_t spinEnd = 0, spinStart = 0;
  while (!stop_.load()) {
    struct pollfd p[3];
    int n = 0, di = -1, ui = -1;
    p[n++] = {ctl_, POLLIN, 0};
    if (devBatch_.load(std::memory_order_acquire) == 0) { di = n; p[n++] = {dev_->fd_, POLLIN, 0}; }
    if (udpBatch_.load(std::memory_order_acquire) == 0) { ui = n; p[n++] = {udp_->fd_, POLLIN, 0}; }
    int r = poll(p, n, spinEnd != 0 ? 0 : -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (spinEnd != 0) {
      int64_t now = NowNs();
      if (r == 0) {
        if (now < spinEnd) {
          sched_yield();
          continue;
        }
        spinMicros_ += static_cast<double>(now - spinStart) / 1000;
        spinEnd = 0;  // budget spent: block in poll again
        continue;
      }
      spinHits_++;
    }
    if (p[0].revents & POLLIN) {
      uint64_t v;
      ssize_t rr = read(ctl_, &v, sizeof(v));
      (void)rr;
    }
    if (stop_.load()) break;
    bool idleError = false;
    const double fastBefore = fastDevice_.get() + fastUdp_.get();
    if (di >= 0 && (p[di].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))) {
      if (!HandleDevice() && (p[di].revents & (POLLERR | POLLHUP | POLLNVAL))) idleError = true;
    }
    if (ui >= 0 && (p[ui].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))) {
      if (!HandleUdp() && (p[ui].revents & (POLLERR | POLLHUP | POLLNVAL))) idleError = true;
    }
    // An fd in an error state that yields nothing (e.g. its device was deleted under it) would
    // wake poll at once forever: back off instead of spinning until JavaScript closes it.
    if (idleError) {
      usleep(10000);
      continue;
    }
    if (schedBatch_) AdaptPolicy();
    // Packets went through natively: keep polling for the budget (from now, bounded per burst).
    // Not after a batch handed to JavaScript: spinning would take a core from the main thread.
    if (spinNs_ > 0 && fastDevice_.get() + fastUdp_.get() != fastBefore) {
      int64_t now = NowNs();
      if (spinEnd == 0) spinStart = now;
      spinEnd = now + spinNs_;
    }
  }
}

bool Forwarder::HandleDevice() {
  dev_->rxWakeups_++;
  int count = dev_->ReadBatch();
  if (count <= 0) return false;
  if (fast_.load(std::memory_order_relaxed) && udp_->pendingCount_.load() == 0 && FastDevice(count)) {
    fastDevice_ += count;
    return true;
  }
  slowDevice_ += count;
  devBatch_.store(count, std::memory_order_release);
  uv_async_send(async_);
  return true;
}

bool Forwarder::HandleUdp() {
  udp_->rxWakeups_++;
  int count = udp_->ReadBatch();
  if (count <= 0) return false;
  if (fast_.load(std::memory_order_relaxed) && dev_->pendingCount_.load() == 0 && FastUdp(count)) {
    fastUdp_ += count;
    return true;
  }
  slowUdp_ += count;
  udpBatch_.store(count, std::memory_order_release);
  uv_async_send(async_);
  return true;
}

bool Forwarder::SetBatch(bool on) {
  struct sched_param sp = {};
  if (sched_setscheduler(0, on ? SCHED_BATCH : SCHED_OTHER, &sp) != 0) return false;  // this thread only (Linux)
  batchOn_.store(on);
  return true;
}

bool Forwarder::ReadSchedstat(int64_t* delayNs, int64_t* runs) {
  char buf[128];
  ssize_t n = schedstat_ >= 0 ? pread(schedstat_, buf, sizeof(buf) - 1, 0) : -1;
  if (n <= 0) return false;
  buf[n] = 0;
  long long run = 0, delay = 0, count = 0;
  if (sscanf(buf, "%lld %lld %lld", &run, &delay, &count) != 3) return false;
  *delayNs = delay;
  *runs = count;
  return true;
}

// After each wake-up (schedBatch): see the constants above.
void Forwarder::AdaptPolicy() {
  if (++winWakeups_ < kPolicyWakeups) return;
  int64_t now = NowNs();
  if (!batchOn_.load(std::memory_order_relaxed)) {
    if (now < otherUntil_) return;
    if (SetBatch(true)) batchSince_ = now;
    winWakeups_ = 0;
    winStart_ = now;
    ReadSchedstat(&winDelay_, &winRuns_);
    return;
  }
  if (now - winStart_ < kPolicyWindowNs) return;
  int64_t delay = 0, runs = 0;
  if (!ReadSchedstat(&delay, &runs)) return;
  int64_t dRuns = runs - winRuns_, dDelay = delay - winDelay_;
  winWakeups_ = 0;
  winStart_ = now;
  winDelay_ = delay;
  winRuns_ = runs;
  if (dRuns <= 0 || dDelay / dRuns <= kMaxBatchWaitNs) {
    badWindows_ = 0;
    return;
  }
  if (++badWindows_ < kBadWindows) return;
  badWindows_ = 0;
  // Waiting behind busy tasks: preempt them again for a while.
  coolDownNs_ = (batchSince_ != 0 && now - batchSince_ < kRelapseNs) ? std::min(coolDownNs_ * 2, kMaxCoolDownNs) : kCoolDownNs;
  if (SetBatch(false)) {
    otherUntil_ = now + coolDownNs_;
    batchFallbacks_++;
  }
}

bool Forwarder::WaitWritable(int fd) {
  for (int i = 0; i < 20 && !stop_.load(); i++) {
    struct pollfd p = {fd, POLLOUT, 0};
    int r = poll(&p, 1, 5);
    if (r > 0 && (p.revents & POLLOUT)) return true;
    if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL))) return false;
  }
  return false;
}

// Device → peers: every packet must be plain (no GSO), routable and valid, else nothing is done.
bool Forwarder::FastDevice(int count) {
  const size_t pre = offload_ ? kVnetHdr : 0;
  const size_t minFrame = vxlan_ ? kEth : 20;
  std::lock_guard<std::mutex> lock(mu_);
  if (routes_.empty()) return false;
  for (int i = 0; i < count; i++) {
    const uint8_t* s = dev_->rxBuf_ + static_cast<size_t>(i) * dev_->slot_;
    int32_t len = dev_->rxLen_[i];
    if (len < 0 || static_cast<size_t>(len) < pre + minFrame) return false;
    const uint8_t* f = s + pre;
    size_t flen = static_cast<size_t>(len) - pre;
    if (flen + kVxlanHdr > udp_->slot_) return false;
    if (offload_) {
      if ((s[1] & 0x7f) != 0) return false;  // a GSO super-packet: segmented in JavaScript
      if ((s[0] & 1) && static_cast<size_t>(Le16(s + 6)) + Le16(s + 8) + 2 > flen) return false;
    }
    uint64_t key;
    if (vxlan_) {
      key = (static_cast<uint64_t>(Be16(f)) << 32) | Be32(f + 2);
    } else {
      if (!IsIPv4(f, flen) || f[8] <= 1) return false;  // TTL expiry: JavaScript answers with ICMP
      key = Be32(f + 16) & mask_;
    }
    auto it = routes_.find(key);
    if (it == routes_.end()) return false;
    batchRoutes_[i] = &it->second;
  }
  for (int i = 0; i < count; i++) {
    uint8_t* s = dev_->rxBuf_ + static_cast<size_t>(i) * dev_->slot_;
    uint8_t* f = s + pre;
    size_t flen = static_cast<size_t>(dev_->rxLen_[i]) - pre;
    if (offload_ && (s[0] & 1)) CompleteChecksum(f, flen, Le16(s + 6), Le16(s + 8));
    if (!vxlan_) DecrementTtl(f);
    const Route* r = batchRoutes_[i];
    struct iovec* v = &iov_[2 * i];
    size_t iovs = 0;
    if (vxlan_) v[iovs++] = {vxlanHdr_, kVxlanHdr};
    v[iovs++] = {f, flen};
    struct msghdr& h = msgs_[i].msg_hdr;
    h.msg_iovlen = iovs;
    h.msg_control = nullptr;
    h.msg_controllen = 0;
    h.msg_flags = 0;
    to_[i].sin_addr.s_addr = htonl(r->ip);
    to_[i].sin_port = htons(r->port);
    PeerCounters& c = counters_[r->ip];
    c.txPackets++;
    c.txBytes += static_cast<double>(flen + (vxlan_ ? kVxlanHdr : 0));
  }
  int sent = 0;
  while (sent < count) {
    int r = sendmmsg(udp_->fd_, msgs_.data() + sent, count - sent, MSG_DONTWAIT);
    if (r > 0) { sent += r; continue; }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      if (WaitWritable(udp_->fd_)) continue;
      sendDrops_ += count - sent;
      break;
    }
    sendErrors_++;  // e.g. ENETUNREACH: this datagram is lost, the next may go
    sent++;
  }
  return true;
}

// Peers → device: single datagrams (no GRO buffer) from known peers with a valid header.
bool Forwarder::FastUdp(int count) {
  const size_t pre = offload_ ? kVnetHdr : 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (sources_.empty()) return false;
  for (int i = 0; i < count; i++) {
    int32_t len = udp_->rxLen_[i];
    if (len < 0 || udp_->rxGso_[i] != 0) return false;
    if (sources_.find(udp_->rxAddr_[i]) == sources_.end()) return false;
    uint8_t* p = udp_->rxBuf_ + static_cast<size_t>(i) * udp_->slot_;
    uint8_t* f;
    size_t flen;
    if (vxlan_) {
      if (static_cast<size_t>(len) < kVxlanHdr + kEth || (p[0] & 0x08) == 0) return false;
      if (((static_cast<uint32_t>(p[4]) << 16) | (p[5] << 8) | p[6]) != vni_) return false;
      f = p + kVxlanHdr;
      flen = static_cast<size_t>(len) - kVxlanHdr;
    } else {
      if (!IsIPv4(p, static_cast<size_t>(len))) return false;
      size_t tot = Be16(p + 2);
      if (tot > static_cast<size_t>(len) || tot < static_cast<size_t>(p[0] & 15) * 4) return false;
      f = p;
      flen = tot;
    }
    if (flen + pre > dev_->slot_) return false;
    // Several TCP segments at once: the JavaScript coalescer merges them (fewer, larger writes).
    if (offload_ && count > 1 && IsTcpData(f + (vxlan_ ? kEth : 0), flen - (vxlan_ ? kEth : 0))) return false;
    iov_[2 * i] = {vnetHdr_, pre};
    iov_[2 * i + 1] = {f, flen};
  }
  for (int i = 0; i < count; i++) {
    struct iovec* v = offload_ ? &iov_[2 * i] : &iov_[2 * i + 1];
    int iovs = offload_ ? 2 : 1;
    for (;;) {
      ssize_t n = writev(dev_->fd_, v, iovs);
      if (n >= 0) break;
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitWritable(dev_->fd_)) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) sendDrops_++;
      else sendErrors_++;
      break;
    }
    PeerCounters& c = counters_[udp_->rxAddr_[i]];
    c.rxPackets++;
    c.rxBytes += udp_->rxLen_[i];
  }
  return true;
}

void Forwarder::OnAsync(uv_async_t* h) {
  auto* self = static_cast<Forwarder*>(h->data);
  if (self != nullptr) self->Deliver();
}

void Forwarder::Deliver() {
  if (detached_) return;
  int d = devBatch_.load(std::memory_order_acquire);
  if (d > 0) {
    Call(dev_, d);
    if (detached_) return;  // the callback closed the tunnel
    devBatch_.store(0, std::memory_order_release);
    Wake();
  }
  int u = udpBatch_.load(std::memory_order_acquire);
  if (u > 0) {
    Call(udp_, u);
    if (detached_) return;
    udpBatch_.store(0, std::memory_order_release);
    Wake();
  }
}

void Forwarder::Call(PacketIO* io, int count) {
  Napi::Env env(env_);
  Napi::HandleScope scope(env);
  // As PacketIO::OnReadable: the receiver must be an object, and an exception is fatal.
  io->callback_.MakeCallback(io->receiver_.Value(), {Napi::Number::New(env, count)});
  if (env.IsExceptionPending()) {
    Napi::Error err = env.GetAndClearPendingException();
    napi_fatal_exception(env_, err.Value());
  }
}

// setPeers(routes: [{key, ip, port}], sources: number[]): key = VtepMAC as a 48-bit number
// (vxlan) or subnet base address (udp); ip = underlay address (host order).
Napi::Value Forwarder::SetPeers(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) {
    Napi::TypeError::New(env, "setPeers(routes, sources)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::unordered_map<uint64_t, Route> routes;
  std::unordered_set<uint32_t> sources;
  Napi::Array ra = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < ra.Length(); i++) {
    Napi::Value v = ra.Get(i);
    if (!v.IsObject()) continue;
    Napi::Object o = v.As<Napi::Object>();
    if (!o.Get("key").IsNumber() || !o.Get("ip").IsNumber() || !o.Get("port").IsNumber()) {
      Napi::TypeError::New(env, "setPeers: routes[" + std::to_string(i) + "] needs numbers key, ip, port").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint64_t key = static_cast<uint64_t>(o.Get("key").As<Napi::Number>().DoubleValue());
    routes[key] = Route{static_cast<uint32_t>(o.Get("ip").As<Napi::Number>().DoubleValue()),
                        static_cast<uint16_t>(o.Get("port").As<Napi::Number>().Uint32Value())};
  }
  Napi::Array sa = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < sa.Length(); i++) {
    Napi::Value v = sa.Get(i);
    if (v.IsNumber()) sources.insert(static_cast<uint32_t>(v.As<Napi::Number>().DoubleValue()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  routes_.swap(routes);
  sources_.swap(sources);
  return env.Undefined();
}

Napi::Value Forwarder::SetFast(const Napi::CallbackInfo& info) {
  fast_.store(info.Length() > 0 && info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

// collect() -> Float64Array [ip, txPackets, txBytes, rxPackets, rxBytes, ...]: the per-peer
// counters of the fast path since the last call.
Napi::Value Forwarder::Collect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(mu_);
  auto out = Napi::Float64Array::New(env, counters_.size() * 5);
  size_t k = 0;
  for (const auto& [ip, c] : counters_) {
    out[k++] = ip;
    out[k++] = c.txPackets;
    out[k++] = c.txBytes;
    out[k++] = c.rxPackets;
    out[k++] = c.rxBytes;
  }
  counters_.clear();
  return out;
}

Napi::Value Forwarder::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("fastDevice", fastDevice_.get());
  o.Set("fastUdp", fastUdp_.get());
  o.Set("slowDevice", slowDevice_.get());
  o.Set("slowUdp", slowUdp_.get());
  o.Set("txErrors", sendErrors_.get());
  o.Set("txDropped", sendDrops_.get());
  o.Set("spinHits", spinHits_.get());
  o.Set("spinMicros", spinMicros_.get());
  o.Set("schedBatch", batchOn_.load() ? 1 : 0);
  o.Set("schedBatchFallbacks", batchFallbacks_.get());
  return o;
}
