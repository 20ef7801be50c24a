// Ones' complement sum (RFC 1071) over a byte range: the one piece of per-byte work in the
// userspace segmentation path, done natively so JavaScript only does the header work.
#include <napi.h>

#include <cstdint>
#include <cstring>

namespace {

// Adds the big-endian 16-bit words of p[0, n) to acc (an odd last byte is the high half of a word).
uint64_t SumWords(const uint8_t* p, size_t n, uint64_t acc) {
  while (n >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    acc += __builtin_bswap32(w);
    p += 4;
    n -= 4;
  }
  if (n >= 2) { acc += (static_cast<uint32_t>(p[0]) << 8) | p[1]; p += 2; n -= 2; }
  if (n == 1) acc += static_cast<uint32_t>(p[0]) << 8;
  return acc;
}

uint64_t Fold(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

// Copies p[0, n) to q and returns the folded sum of the bytes: one pass over memory.
uint64_t CopyAndSum(const uint8_t* p, uint8_t* q, size_t n) {
  uint64_t acc = 0;
  if (p + n <= q || q + n <= p) {
    // Copy 8 bytes at a time and add them as two big-endian 32-bit words while they are in a register.
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      memcpy(q + i, &w, 8);
      acc += __builtin_bswap32(static_cast<uint32_t>(w)) + static_cast<uint64_t>(__builtin_bswap32(static_cast<uint32_t>(w >> 32)));
    }
    memcpy(q + i, p + i, n - i);
    acc = SumWords(p + i, n - i, acc);
  } else {
    acc = SumWords(p, n, 0);
    memmove(q, p, n);
  }
  return Fold(acc);
}

}  // namespace

// copySum(src, srcStart, srcEnd, dst, dstStart, seg?, dstStride?, sums?) -> number of chunks.
// Cuts src[srcStart, srcEnd) into chunks of seg bytes (default: one chunk), copies chunk k to
// dst[dstStart + k * dstStride] and stores its folded ones' complement sum in sums[k]; with no
// sums array the sum of the single chunk is returned instead. A super-packet's payloads are
// copied and summed in one call and one pass over memory; JavaScript writes the headers.
Napi::Value CopySum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsBuffer() || !info[3].IsBuffer()) {
    Napi::TypeError::New(env, "copySum(src, srcStart, srcEnd, dst, dstStart, seg?, dstStride?, sums?)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto src = info[0].As<Napi::Buffer<uint8_t>>();
  auto dst = info[3].As<Napi::Buffer<uint8_t>>();
  int64_t start = info[1].As<Napi::Number>().Int64Value();
  int64_t end = info[2].As<Napi::Number>().Int64Value();
  int64_t at = info[4].As<Napi::Number>().Int64Value();
  bool many = info.Length() >= 8 && info[7].IsTypedArray();
  int64_t seg = many ? info[5].As<Napi::Number>().Int64Value() : end - start;
  int64_t stride = many ? info[6].As<Napi::Number>().Int64Value() : 0;
  if (start < 0 || end < start || static_cast<size_t>(end) > src.Length() || at < 0 || (many && (seg <= 0 || stride < seg))) {
    Napi::RangeError::New(env, "copySum: range outside the buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int64_t n = end - start;
  int64_t count = many ? (n + seg - 1) / seg : 1;
  int64_t lastLen = many && count > 0 ? n - (count - 1) * seg : n;
  Napi::Uint32Array sums;
  if (many) {
    sums = info[7].As<Napi::Uint32Array>();
    if (info[7].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || static_cast<int64_t>(sums.ElementLength()) < count) {
      Napi::RangeError::New(env, "copySum: sums must be a Uint32Array with a slot per chunk").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  if (count > 0 && static_cast<size_t>(at + (count - 1) * stride + lastLen) > dst.Length()) {
    Napi::RangeError::New(env, "copySum: range outside the buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!many) return Napi::Number::New(env, static_cast<double>(CopyAndSum(src.Data() + start, dst.Data() + at, static_cast<size_t>(n))));
  uint32_t* out = sums.Data();
  for (int64_t k = 0; k < count; k++) {
    int64_t len = k == count - 1 ? lastLen : seg;
    out[k] = static_cast<uint32_t>(CopyAndSum(src.Data() + start + k * seg, dst.Data() + at + k * stride, static_cast<size_t>(len)));
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

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
  // Sum 32-bit big-endian words into 64 bits, fold at the end (byte order handled per word).
  uint64_t acc = SumWords(buf.Data() + start, static_cast<size_t>(end - start), 0) + sum;
  return Napi::Number::New(env, static_cast<double>(Fold(acc)));
}
