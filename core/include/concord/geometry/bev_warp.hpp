#pragma once
/// \file
/// Warping BEV features between agents' frames with affine_grid/grid_sample, as
/// HEAL's `warp_affine_simple` with `normalize_pairwise_tfm`
/// (reference/field-conventions.md §2.2). Derivation: an output cell at
/// normalised (u, v) ∈ (-1, 1)² (align_corners = false) is the point
/// p = c + diag(Sx, Sy)·(u, v) of the destination frame, with c the grid centre and
/// (Sx, Sy) = (W·res/2, H·res/2); it samples the source map at
/// (T_src←dst·p − c) / (Sx, Sy). The 2-D part of T (rows/cols x, y) is used; z
/// and roll/pitch are ignored, as the field does for BEV maps.

#include <ATen/core/Tensor.h>

#include "concord/export.hpp"
#include "concord/geometry/bev_grid.hpp"

namespace concord {

/// Normalised sampling matrices for affine_grid.
/// src_from_dst: [N, 4, 4] (float32 or float64) rigid transforms T_src←dst, m.
/// Returns theta [N, 2, 3] float32. Throws c10::Error on a wrong shape.
CONCORD_CORE_API at::Tensor bev_affine_theta(const at::Tensor& src_from_dst, const BevGrid& grid);

/// Resamples source-frame maps into the destination frame (both on `grid`).
/// features: [N, C, H, W] float, source frames; src_from_dst: [N, 4, 4].
/// Returns [N, C, H, W] in the destination frame; cells outside the source map are 0.
/// `mode`: "bilinear" or "nearest". Throws c10::Error when shapes disagree with the grid.
CONCORD_CORE_API at::Tensor warp_bev(const at::Tensor& features, const at::Tensor& src_from_dst,
                                     const BevGrid& grid, const std::string& mode = "bilinear");

/// Validity of warp_bev's output: [N, 1, H, W] float32, 1 where the destination cell
/// samples inside the source map (nearest-neighbour coverage), else 0.
CONCORD_CORE_API at::Tensor warp_bev_mask(const at::Tensor& src_from_dst, const BevGrid& grid);

}  // namespace concord
