#include "concord/loader/camera_augment.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace concord::loader {

namespace {

/// Copies the overlap of `src` (last two dims h × w, shifted so that src column
/// offset_x lands at column 0) into a zero tensor of the same leading dims and
/// height × width.
at::Tensor crop_or_pad(const at::Tensor& src, int64_t offset_x, int64_t offset_y, int64_t height,
                       int64_t width) {
  const int64_t h = src.size(-2), w = src.size(-1);
  std::vector<int64_t> shape(src.sizes().begin(), src.sizes().end());
  shape[shape.size() - 2] = height;
  shape[shape.size() - 1] = width;
  at::Tensor out = at::zeros(shape, src.options());
  // Destination window [dy0, dy1) × [dx0, dx1) reads source rows/cols shifted by offset.
  const int64_t dx0 = std::max<int64_t>(0, -offset_x), dy0 = std::max<int64_t>(0, -offset_y);
  const int64_t dx1 = std::min<int64_t>(width, w - offset_x);
  const int64_t dy1 = std::min<int64_t>(height, h - offset_y);
  if (dx1 <= dx0 || dy1 <= dy0) return out;
  out.narrow(-2, dy0, dy1 - dy0)
      .narrow(-1, dx0, dx1 - dx0)
      .copy_(src.narrow(-2, dy0 + offset_y, dy1 - dy0).narrow(-1, dx0 + offset_x, dx1 - dx0));
  return out;
}

}  // namespace

at::Tensor image_affine_matrix(const ImageAffine& a, int64_t height, int64_t width) {
  if (a.scaled_h <= 0 || a.scaled_w <= 0 || height <= 0 || width <= 0) {
    throw std::invalid_argument("image_affine_matrix: sizes must be > 0, got image " +
                                std::to_string(height) + "x" + std::to_string(width) +
                                ", resized " + std::to_string(a.scaled_h) + "x" +
                                std::to_string(a.scaled_w));
  }
  const double sx = static_cast<double>(a.scaled_w) / static_cast<double>(width);
  const double sy = static_cast<double>(a.scaled_h) / static_cast<double>(height);
  double m00 = sx;
  double m02 = 0.5 * sx - 0.5 - static_cast<double>(a.offset_x);
  if (a.flip) {
    m00 = -m00;
    m02 = static_cast<double>(width - 1) - m02;
  }
  const double m12 = 0.5 * sy - 0.5 - static_cast<double>(a.offset_y);
  return at::tensor({m00, 0.0, m02, 0.0, sy, m12, 0.0, 0.0, 1.0}, at::kDouble).view({3, 3});
}

void apply_image_affine(const ImageAffine& a, at::Tensor& image, at::Tensor& depth,
                        at::Tensor& intrinsics) {
  if (!image.defined() || image.dim() != 3 || image.size(0) != 3) {
    throw std::invalid_argument("apply_image_affine: image must be [3, H, W]");
  }
  const int64_t h = image.size(1), w = image.size(2);
  if (depth.defined() && (depth.dim() != 2 || depth.size(0) != h || depth.size(1) != w)) {
    throw std::invalid_argument("apply_image_affine: depth must be [H, W] like the image");
  }
  if (!intrinsics.defined() || intrinsics.dim() != 2 || intrinsics.size(0) != 3 ||
      intrinsics.size(1) != 3) {
    throw std::invalid_argument("apply_image_affine: intrinsics must be [3, 3]");
  }
  const at::Tensor m = image_affine_matrix(a, h, w);
  at::Tensor resized = image;
  if (a.scaled_h != h || a.scaled_w != w) {
    resized =
        at::upsample_bilinear2d(image.unsqueeze(0), {a.scaled_h, a.scaled_w}, false).squeeze(0);
  }
  image = crop_or_pad(resized, a.offset_x, a.offset_y, h, w);
  if (a.flip) image = image.flip({-1});
  if (depth.defined()) {
    at::Tensor d = depth;
    if (a.scaled_h != h || a.scaled_w != w) {
      d = at::upsample_nearest2d(depth.unsqueeze(0).unsqueeze(0), {a.scaled_h, a.scaled_w})
              .squeeze(0)
              .squeeze(0);
    }
    depth = crop_or_pad(d, a.offset_x, a.offset_y, h, w);
    if (a.flip) depth = depth.flip({-1});
  }
  intrinsics = at::matmul(m, intrinsics.to(at::kDouble)).to(intrinsics.scalar_type());
}

void augment_cameras(CollabSample& sample, const CameraAugmentOptions& options,
                     std::uint64_t seed) {
  if (!(options.scale_min > 0.0) || !(options.scale_max >= options.scale_min)) {
    throw std::invalid_argument(
        "camera augmentation: scale range must satisfy 0 < min <= max, got [" +
        std::to_string(options.scale_min) + ", " + std::to_string(options.scale_max) + "]");
  }
  if (!options.enabled()) return;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> scale(options.scale_min, options.scale_max);
  std::bernoulli_distribution coin(0.5);
  for (auto& agent : sample.agents) {
    SensorInput& in = agent.input;
    if (!in.images.defined()) continue;
    const int64_t ncam = in.images.size(1);
    const int64_t h = in.images.size(3), w = in.images.size(4);
    const bool has_depth = in.depth.defined();
    std::vector<at::Tensor> images, depths, ks;
    for (int64_t c = 0; c < ncam; ++c) {
      const double s = scale(rng);
      ImageAffine a;
      a.scaled_h = std::max<int64_t>(1, std::llround(s * static_cast<double>(h)));
      a.scaled_w = std::max<int64_t>(1, std::llround(s * static_cast<double>(w)));
      auto offset = [&](int64_t scaled, int64_t size) {
        const int64_t lo = std::min<int64_t>(0, scaled - size);
        const int64_t hi = std::max<int64_t>(0, scaled - size);
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      };
      a.offset_x = offset(a.scaled_w, w);
      a.offset_y = offset(a.scaled_h, h);
      a.flip = options.flip && coin(rng);
      at::Tensor img = in.images[0][c];
      at::Tensor dep = has_depth ? in.depth[0][c] : at::Tensor();
      at::Tensor k = in.intrinsics[0][c];
      apply_image_affine(a, img, dep, k);
      images.push_back(img);
      ks.push_back(k);
      if (has_depth) depths.push_back(dep);
    }
    in.images = at::stack(images).unsqueeze(0);
    in.intrinsics = at::stack(ks).unsqueeze(0);
    if (has_depth) in.depth = at::stack(depths).unsqueeze(0);
  }
}

}  // namespace concord::loader
