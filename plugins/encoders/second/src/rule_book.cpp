#include "rule_book.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>

namespace concord::plugins {
namespace {

// Open-addressing (linear probing) hash table from packed site keys (>= 0) to
// rows; key and row share a slot so a lookup touches one cache line.
class SiteTable {
 public:
  explicit SiteTable(int64_t n) {
    size_t capacity = 16;
    while (capacity < static_cast<size_t>(2 * n)) capacity <<= 1;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{-1, -1});
  }
  // False when the key is already present.
  bool insert(int64_t key, int64_t row) {
    size_t i = hash(key);
    while (slots_[i].key != -1) {
      if (slots_[i].key == key) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = Slot{key, row};
    return true;
  }
  // The row of `key`, or -1.
  int64_t find(int64_t key) const {
    size_t i = hash(key);
    while (slots_[i].key != -1) {
      if (slots_[i].key == key) return slots_[i].row;
      i = (i + 1) & mask_;
    }
    return -1;
  }

 private:
  struct Slot {
    int64_t key, row;
  };
  size_t hash(int64_t key) const {
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL) >> 17) & mask_;
  }
  size_t mask_ = 0;
  std::vector<Slot> slots_;
};

int64_t pack(int64_t b, int64_t z, int64_t y, int64_t x, const Shape3& s) {
  return ((b * s[0] + z) * s[1] + y) * s[2] + x;
}

// indices → contiguous CPU int32 [N, 4], checked against the grid.
at::Tensor checked_indices(const at::Tensor& indices, const Shape3& shape, int64_t batch_size) {
  TORCH_CHECK(indices.defined() && indices.dim() == 2 && indices.size(1) == 4 &&
                  indices.scalar_type() == at::kInt,
              "second rule book: indices must be [N, 4] int32 (b, z, y, x), got ",
              indices.defined() ? indices.sizes() : at::IntArrayRef{}, " ",
              indices.defined() ? indices.scalar_type() : at::ScalarType::Undefined);
  TORCH_CHECK(shape[0] >= 1 && shape[1] >= 1 && shape[2] >= 1 && batch_size >= 1,
              "second rule book: grid (", shape[0], ", ", shape[1], ", ", shape[2],
              ") and batch size ", batch_size, " must be >= 1");
  at::Tensor idx = indices.to(at::kCPU).contiguous();
  const int32_t* d = idx.data_ptr<int32_t>();
  const int64_t n = idx.size(0);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t* r = d + 4 * i;
    TORCH_CHECK(r[0] >= 0 && r[0] < batch_size && r[1] >= 0 && r[1] < shape[0] && r[2] >= 0 &&
                    r[2] < shape[1] && r[3] >= 0 && r[3] < shape[2],
                "second rule book: site ", i, " (", r[0], ", ", r[1], ", ", r[2], ", ", r[3],
                ") lies outside batch ", batch_size, " x grid (", shape[0], ", ", shape[1], ", ",
                shape[2], ")");
  }
  return idx;
}

at::Tensor to_tensor(const std::vector<int64_t>& v) {
  at::Tensor t = at::empty({static_cast<int64_t>(v.size())}, at::kLong);
  if (!v.empty()) std::memcpy(t.data_ptr<int64_t>(), v.data(), v.size() * sizeof(int64_t));
  return t;
}

void finish(RuleBook& rb, std::vector<std::vector<int64_t>>& in_rows,
            std::vector<std::vector<int64_t>>& out_rows) {
  rb.in_rows.reserve(in_rows.size());
  rb.out_rows.reserve(out_rows.size());
  for (size_t k = 0; k < in_rows.size(); ++k) {
    rb.in_rows.push_back(to_tensor(in_rows[k]));
    rb.out_rows.push_back(to_tensor(out_rows[k]));
  }
}

}  // namespace

int64_t RuleBook::num_pairs() const {
  int64_t total = 0;
  for (const auto& r : in_rows) total += r.numel();
  return total;
}

Shape3 conv_output_shape(const Shape3& in_shape, const ConvGeometry& g) {
  Shape3 out{};
  for (size_t a = 0; a < 3; ++a) {
    TORCH_CHECK(g.kernel[a] >= 1 && g.stride[a] >= 1 && g.padding[a] >= 0,
                "second sparse conv: kernel and stride must be >= 1 and padding >= 0, got axis ", a,
                " kernel ", g.kernel[a], " stride ", g.stride[a], " padding ", g.padding[a]);
    const int64_t span = in_shape[a] + 2 * g.padding[a] - g.kernel[a];
    TORCH_CHECK(span >= 0, "second sparse conv: axis ", a, " (0 = z, 1 = y, 2 = x) of size ",
                in_shape[a], " is smaller than kernel ", g.kernel[a], " with padding ",
                g.padding[a], "; use a larger range or smaller voxels along that axis");
    out[a] = span / g.stride[a] + 1;
  }
  return out;
}

RuleBook build_submanifold_rules(const at::Tensor& indices, const Shape3& shape, int64_t batch_size,
                                 const Shape3& kernel) {
  for (size_t a = 0; a < 3; ++a) {
    TORCH_CHECK(kernel[a] >= 1 && kernel[a] % 2 == 1,
                "second submanifold conv: kernel sizes must be odd, got ", kernel[a]);
  }
  const at::Tensor idx = checked_indices(indices, shape, batch_size);
  const int32_t* d = idx.data_ptr<int32_t>();
  const int64_t n = idx.size(0);
  SiteTable table(n);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t* r = d + 4 * i;
    TORCH_CHECK(table.insert(pack(r[0], r[1], r[2], r[3], shape), i),
                "second rule book: duplicate site (", r[0], ", ", r[1], ", ", r[2], ", ", r[3],
                ") at row ", i);
  }
  const int64_t kd = kernel[0], kh = kernel[1], kw = kernel[2];
  const int64_t cz = kd / 2, cy = kh / 2, cx = kw / 2;
  std::vector<std::vector<int64_t>> in_rows(static_cast<size_t>(kd * kh * kw)),
      out_rows(in_rows.size());
  for (int64_t i = 0; i < n; ++i) {
    const int32_t* r = d + 4 * i;
    for (int64_t a = 0; a < kd; ++a) {
      const int64_t z = r[1] - cz + a;
      if (z < 0 || z >= shape[0]) continue;
      for (int64_t b = 0; b < kh; ++b) {
        const int64_t y = r[2] - cy + b;
        if (y < 0 || y >= shape[1]) continue;
        for (int64_t c = 0; c < kw; ++c) {
          const int64_t x = r[3] - cx + c;
          if (x < 0 || x >= shape[2]) continue;
          const int64_t j = table.find(pack(r[0], z, y, x, shape));
          if (j < 0) continue;
          const size_t k = static_cast<size_t>((a * kh + b) * kw + c);
          in_rows[k].push_back(j);
          out_rows[k].push_back(i);
        }
      }
    }
  }
  RuleBook rb;
  rb.out_indices = idx;
  rb.out_shape = shape;
  finish(rb, in_rows, out_rows);
  return rb;
}

RuleBook build_strided_rules(const at::Tensor& indices, const Shape3& shape, int64_t batch_size,
                             const ConvGeometry& g) {
  const Shape3 out_shape = conv_output_shape(shape, g);
  const at::Tensor idx = checked_indices(indices, shape, batch_size);
  const int32_t* d = idx.data_ptr<int32_t>();
  const int64_t n = idx.size(0);
  {
    SiteTable table(n);  // only to refuse duplicate sites, as the submanifold build does
    for (int64_t i = 0; i < n; ++i) {
      const int32_t* r = d + 4 * i;
      TORCH_CHECK(table.insert(pack(r[0], r[1], r[2], r[3], shape), i),
                  "second rule book: duplicate site (", r[0], ", ", r[1], ", ", r[2], ", ", r[3],
                  ") at row ", i);
    }
  }
  // Candidate pairs (input row, offset, packed output key).
  struct Pair {
    int64_t in, k, out_key;
  };
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(n) * 4);
  const int64_t kh = g.kernel[1], kw = g.kernel[2];
  for (int64_t i = 0; i < n; ++i) {
    const int32_t* r = d + 4 * i;
    for (int64_t a = 0; a < g.kernel[0]; ++a) {
      const int64_t nz = r[1] + g.padding[0] - a;
      if (nz < 0 || nz % g.stride[0] != 0 || nz / g.stride[0] >= out_shape[0]) continue;
      for (int64_t b = 0; b < kh; ++b) {
        const int64_t ny = r[2] + g.padding[1] - b;
        if (ny < 0 || ny % g.stride[1] != 0 || ny / g.stride[1] >= out_shape[1]) continue;
        for (int64_t c = 0; c < kw; ++c) {
          const int64_t nx = r[3] + g.padding[2] - c;
          if (nx < 0 || nx % g.stride[2] != 0 || nx / g.stride[2] >= out_shape[2]) continue;
          pairs.push_back(
              {i, (a * kh + b) * kw + c,
               pack(r[0], nz / g.stride[0], ny / g.stride[1], nx / g.stride[2], out_shape)});
        }
      }
    }
  }
  std::vector<int64_t> keys(pairs.size());
  for (size_t p = 0; p < pairs.size(); ++p) keys[p] = pairs[p].out_key;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  std::vector<std::vector<int64_t>> in_rows(static_cast<size_t>(g.kernel[0] * kh * kw)),
      out_rows(in_rows.size());
  for (const Pair& p : pairs) {
    const int64_t row = std::lower_bound(keys.begin(), keys.end(), p.out_key) - keys.begin();
    in_rows[static_cast<size_t>(p.k)].push_back(p.in);
    out_rows[static_cast<size_t>(p.k)].push_back(row);
  }

  RuleBook rb;
  rb.out_shape = out_shape;
  rb.out_indices = at::empty({static_cast<int64_t>(keys.size()), 4}, at::kInt);
  int32_t* o = rb.out_indices.data_ptr<int32_t>();
  for (size_t r = 0; r < keys.size(); ++r) {
    int64_t key = keys[r];
    o[4 * r + 3] = static_cast<int32_t>(key % out_shape[2]);
    key /= out_shape[2];
    o[4 * r + 2] = static_cast<int32_t>(key % out_shape[1]);
    key /= out_shape[1];
    o[4 * r + 1] = static_cast<int32_t>(key % out_shape[0]);
    o[4 * r + 0] = static_cast<int32_t>(key / out_shape[0]);
  }
  finish(rb, in_rows, out_rows);
  return rb;
}

}  // namespace concord::plugins
