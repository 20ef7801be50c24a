#pragma once
#include <napi.h>
#include <uv.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "packet_io.h"

// Forwarder: the common case of the userspace datapath (udp and vxlan backends) in native code
// on its own thread, so a packet crosses a daemon with one thread wake-up and no JavaScript.
//
// The thread polls the device and UDP PacketIOs' fds. A batch it reads is forwarded natively
// when every packet in it is plain (no GSO super-packet or GRO buffer, a known peer, a valid
// header, no chaos rule active, nothing queued on the way out); otherwise the whole batch goes
// to the PacketIO's JavaScript callback on the main thread, as without a forwarder, and that
// direction is not read again until the callback has returned (packets of a direction stay in
// order). JavaScript programs the peer table (setPeers), turns the fast path off while chaos
// rules are active (setFast) and collects the per-peer counters (collect).
//
// Adaptive busy-polling (spinMicros > 0): after a batch the thread keeps polling without
// sleeping for up to spinMicros before it blocks again, so the next packet of an exchange (the
// reply to the request it just forwarded) finds it awake instead of paying a wake-up. An idle
// tunnel sleeps in poll(-1) and costs nothing; each burst costs at most spinMicros of CPU.
//
// SCHED_BATCH (schedBatch): the thread's wake-ups do not preempt the running task. A packet
// reaches this thread from the task that sent it (a pod, or the peer node's forwarder, which
// then blocks at once); preempting that task leaves two runnable tasks on its CPU, so the
// scheduler puts the next wake-up of the chain (the pod the packet is for) on another, idle
// CPU, and on a VM waking a halted vCPU costs tens of µs (four such wake-ups per round trip).
// Without preemption the sender blocks first, this thread runs next on the same CPU, and a
// synchronous wake-up with one runnable task stays on the waker's CPU: the whole exchange runs
// on one CPU, as the kernel's own datapath does in the sender's context. The price: a batch
// thread does not preempt a task that keeps its CPU busy either and waits for its slice or
// the next tick (ms). So the thread watches its own run-queue wait (schedstat) and, when it
// averages over 300 µs per run in two windows of 64 wake-ups in a row, goes back to
// SCHED_OTHER for a cool-down (AdaptPolicy).
class Forwarder : public Napi::ObjectWrap<Forwarder> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Forwarder(const Napi::CallbackInfo& info);
  ~Forwarder() override;
  // Stops the thread and lets go of the PacketIOs (main thread; called when either closes).
  void Detach();

 private:
  struct Route { uint32_t ip; uint16_t port; };
  struct PeerCounters { double txPackets = 0, txBytes = 0, rxPackets = 0, rxBytes = 0; };

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value SetPeers(const Napi::CallbackInfo& info);
  Napi::Value SetFast(const Napi::CallbackInfo& info);
  Napi::Value Collect(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  void Run();
  // Read a batch and forward it or hand it to JavaScript; false when nothing was read.
  bool HandleDevice();
  bool HandleUdp();
  bool FastDevice(int count);
  bool FastUdp(int count);
  // Waits (on the thread) until fd is writable again after EAGAIN; false on timeout/stop.
  bool WaitWritable(int fd);
  void Wake();
  // schedBatch (thread only): switch this thread's policy; its schedstat (run_delay ns, runs).
  bool SetBatch(bool on);
  bool ReadSchedstat(int64_t* delayNs, int64_t* runs);
  void AdaptPolicy();
  static void OnAsync(uv_async_t* h);
  void Deliver();
  void Call(PacketIO* io, int count);

  napi_env env_;
  PacketIO* dev_ = nullptr;
  PacketIO* udp_ = nullptr;
  Napi::ObjectReference devRef_, udpRef_;
  bool vxlan_ = true;
  uint32_t vni_ = 1;
  uint32_t mask_ = 0xffffff00;
  bool offload_ = false;
  int64_t spinNs_ = 0;  // busy-poll budget after a batch (0: block at once)
  bool schedBatch_ = false;            // schedBatch option (adaptive, see AdaptPolicy)
  std::atomic<bool> batchOn_{false};  // the thread runs under SCHED_BATCH now

  std::thread thread_;
  bool started_ = false;
  bool detached_ = false;
  bool refed_ = false;
  int ctl_ = -1;  // eventfd: wakes the thread (stop, a batch came back from JavaScript)
  std::atomic<bool> stop_{false};
  std::atomic<bool> fast_{true};
  // A batch of this many packets waits for (or is in) JavaScript; 0 = the thread reads that fd.
  std::atomic<int> devBatch_{0}, udpBatch_{0};
  uv_async_t* async_ = nullptr;

  // Peer table, written by setPeers (main thread), read by the thread; guarded by mu_.
  std::mutex mu_;
  std::unordered_map<uint64_t, Route> routes_;  // VtepMAC (vxlan) or subnet base (udp) -> peer
  std::unordered_set<uint32_t> sources_;         // underlay addresses that may send to us
  std::unordered_map<uint32_t, PeerCounters> counters_;  // by peer underlay address, since collect()

  // Thread-local scratch for one batch.
  std::vector<const Route*> batchRoutes_;
  std::vector<struct mmsghdr> msgs_;
  std::vector<struct iovec> iov_;
  std::vector<struct sockaddr_in> to_;
  uint8_t vxlanHdr_[8] = {0x08, 0, 0, 0, 0, 0, 0, 0};
  uint8_t vnetHdr_[10] = {0};

  Counter fastDevice_, fastUdp_, slowDevice_, slowUdp_, sendErrors_, sendDrops_;
  // Batches found while busy-polling (a wake-up saved each), and the time spent busy-polling.
  Counter spinHits_, spinMicros_;

  // Adaptive SCHED_BATCH (thread only): /proc/thread-self/schedstat, the current window, and
  // the SCHED_OTHER cool-down after the thread waited too long for a CPU under SCHED_BATCH.
  int schedstat_ = -1;
  int winWakeups_ = 0, badWindows_ = 0;
  int64_t winStart_ = 0, winDelay_ = 0, winRuns_ = 0;
  int64_t otherUntil_ = 0, batchSince_ = 0, coolDownNs_ = 1'000'000'000;
  Counter batchFallbacks_;
};
