// Ones' complement sum (RFC 1071) over a byte range: the one piece of per-byte work in the
// userspace segmentation path, done natively so JavaScript only does the header work.
#include <napi.h>

#include <cstdint>
#include <cstring>

// csumPartial(buf, start, end, initial) -> 16-bit folded sum, not inverted (big-endian words).
Napi::Value CsumPartial(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "csumPartial(buf, start, end, initial)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  int64_t start = info[1].As<Napi::Number>().Int64Value();
  int64_t end = info[2].As<Napi::Number>().Int64Value();
  uint64_t sum = info.Length() > 3 ? static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()) : 0;
  if (start < 0 || end < start || static_cast<size_t>(end) > buf.Length()) {
    Napi::RangeError::New(env, "csumPartial: range outside the buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint8_t* p = buf.Data() + start;
  size_t n = static_cast<size_t>(end - start);
  // Sum 32-bit big-endian words into 64 bits, fold at the end (byte order handled per word).
  uint64_t acc = 0;
  while (n >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    acc += __builtin_bswap32(w);
    p += 4;
    n -= 4;
  }
  if (n >= 2) { acc += (static_cast<uint32_t>(p[0]) << 8) | p[1]; p += 2; n -= 2; }
  if (n == 1) acc += static_cast<uint32_t>(p[0]) << 8;
  acc += sum;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return Napi::Number::New(env, static_cast<double>(acc));
}
