#pragma once
/// \file
/// Image-space camera augmentation for training camera detectors (LSS): each camera
/// image is rescaled, cropped (or zero-padded) back to its size at a random offset and
/// optionally mirrored, and its intrinsics are rewritten so that every 3D point still
/// projects onto the same image content. The BEV geometry, poses and labels are
/// untouched: what changes is only which pixels the network sees. This is the
/// resize/crop/flip part of HEAL's LSS `data_aug_conf` (resize_lim, rand_flip),
/// applied through the intrinsics instead of a separate post-rotation matrix
/// (reference/field-conventions.md §2: camera agents).
#include <ATen/core/Tensor.h>

#include <cstdint>

#include "concord/loader/collab_sample.hpp"

namespace concord::loader {

/// Ranges of the random camera augmentation ([train] camera_scale, camera_flip).
struct CameraAugmentOptions {
  double scale_min = 1.0;  ///< smallest resize factor (> 0; 1 = no resize)
  double scale_max = 1.0;  ///< largest resize factor (>= scale_min)
  bool flip = false;       ///< mirror each image left-right with probability 0.5
  /// True when any augmentation is configured.
  bool enabled() const { return scale_min != 1.0 || scale_max != 1.0 || flip; }
};

/// One camera's image transform: resize to `scaled_h` × `scaled_w` pixels, take the
/// H × W window whose top-left corner is (`offset_x`, `offset_y`) in the resized image
/// (negative offsets or a window past the edge pad with zeros), then mirror columns
/// when `flip`.
struct ImageAffine {
  int64_t scaled_h = 0;  ///< rows after the resize (> 0)
  int64_t scaled_w = 0;  ///< columns after the resize (> 0)
  int64_t offset_x = 0;  ///< first column of the window in the resized image (px)
  int64_t offset_y = 0;  ///< first row of the window in the resized image (px)
  bool flip = false;     ///< mirror columns after the crop
};

/// The 3 × 3 pixel map of `a` for an H × W image, float64 [3, 3]: a pixel centre
/// (u, v) of the input (px, 0 = first pixel centre) lands at A·(u, v, 1) in the output.
/// With bilinear resizing (align_corners = false) u' = sx·(u + 0.5) − 0.5 − offset_x,
/// sx = scaled_w / W, and a flip maps u' to W − 1 − u'. New intrinsics are A·K.
/// Throws std::invalid_argument for non-positive sizes.
at::Tensor image_affine_matrix(const ImageAffine& a, int64_t height, int64_t width);

/// Applies `a` to one camera: `image` [3, H, W] float (bilinear), `depth` [H, W] float
/// (m; nearest; padding = 0, i.e. no depth; may be undefined) and `intrinsics` [3, 3]
/// (any float dtype, replaced by A·K). Returns the new tensors in place of the old ones;
/// H and W are unchanged. Throws std::invalid_argument on shape mismatches.
void apply_image_affine(const ImageAffine& a, at::Tensor& image, at::Tensor& depth,
                        at::Tensor& intrinsics);

/// Draws and applies an independent ImageAffine to every camera of every agent of
/// `sample` that has images ([1, Ncam, 3, H, W], with intrinsics and, when present,
/// depth): scale s ~ U[scale_min, scale_max] (rows and columns rounded to whole pixels),
/// offset uniform over the windows inside the resized image (or, for s < 1, over the
/// placements of the image inside the window), flip with probability 0.5 when enabled.
/// Deterministic in `seed` (the trainer derives it from the experiment seed, the epoch
/// and the sample index, so a resumed run sees the same images). LiDAR agents are left
/// unchanged. Throws std::invalid_argument for a scale range outside 0 < min <= max.
void augment_cameras(CollabSample& sample, const CameraAugmentOptions& options, std::uint64_t seed);

}  // namespace concord::loader
