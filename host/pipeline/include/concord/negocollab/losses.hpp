#pragma once
/// \file
/// NegoCollab's multi-dimensional alignment losses (paper §3.3, eq. 14-24;
/// reference negocollab-official-code.md §2.1-2.3). Every function returns a
/// differentiable float32 scalar.

#include <ATen/core/Tensor.h>

#include <vector>

#include "concord/geometry/bev_grid.hpp"

namespace concord::negocollab {

/// The "invariance" distribution loss between x and y [B, C, H, W] (sheet §2.1):
/// mean term = squared error averaged over H, W, summed over C, averaged over B;
/// std_x = sqrt(unbiased variance over (H, W) + 1e-4) per channel; std term =
/// sqrt((std_x − std_y)² + 1e-4) summed over C, averaged over B; loss = mean term +
/// std_weight · std term. Gradients flow into both x and y (the official target
/// `detach` is a no-op, and stage 1 trains both sides). Throws c10::Error when the
/// shapes differ or are not 4-d.
at::Tensor distribution_loss(const at::Tensor& x, const at::Tensor& y, double std_weight);

/// Cycle distribution consistency (eq. 16, β = std_weight, default 0.001): the
/// member's pre-send local feature against the same feature sent to P and received
/// back (receiver(P)).
at::Tensor cycle_loss(const at::Tensor& local, const at::Tensor& reconstructed,
                      double std_weight = 1e-3);

/// Unify distribution loss (eq. 19, α = std_weight, default 0.001): the negotiated P
/// against the member's sender output.
at::Tensor unify_distribution_loss(const at::Tensor& common, const at::Tensor& sent,
                                   double std_weight = 1e-3);

/// The 9 BEV keypoints [M, 9, 2] (x, y; m) of boxes [M, 7] [x, y, z, h, w, l, yaw]
/// (eq. 20): corners c0..c3 of the l × w footprint (l along the heading; c0 =
/// (+l/2, +w/2) then clockwise in the box frame), the centre, and the midpoints of
/// edges c0c1, c1c2, c2c3, c3c0.
at::Tensor box_keypoints(const at::Tensor& boxes);

/// Structural alignment (eq. 20-22): features of student P and teacher (a sender
/// output), both [B, C, H, W] on `grid` (H along y, W along x), are sampled
/// bilinearly at each box's 9 keypoints (zero outside), L2-normalised (norm +
/// 1e-4), and per box the 9 × 9 cosine relation matrices are compared:
/// Σ_boxes mean|S_ss − T_tt| / N + Σ_boxes mean|S_st − T_tt| / N, N = number of
/// boxes in the batch. boxes: B tensors [M_b, 7] (agent frame, m / rad). With no
/// box, returns a zero that keeps the graph. Departure from the official code
/// (sheet §2.2): it samples at transposed coordinates with (h, w) as the footprint;
/// here the footprint is (l, w) at the un-swapped coordinates, the paper's intent.
at::Tensor structural_loss(const at::Tensor& student, const at::Tensor& teacher,
                           const std::vector<at::Tensor>& boxes, const BevGrid& grid);

/// Pragmatic alignment (eq. 23-24; sheet §2.3): sigmoid focal loss (α 0.25, γ 2)
/// of occupancy logits [B, 1, H, W] against labels [B, 1, H, W] (1 occupied, 0
/// free, −1 ignored), cell weights (2·pos + 1·neg) / max(#pos of the sample, 1),
/// summed, divided by B. Throws c10::Error on shape mismatch.
at::Tensor pragmatic_loss(const at::Tensor& logits, const at::Tensor& labels);

}  // namespace concord::negocollab
