#pragma once
/// \file
/// PnPDA's semantic-calibrator loss (field-conventions.md §6.3; official
/// `loss/contrastive_learning_loss.py`): per-object InfoNCE (τ = 0.1) between the features
/// of the same ground-truth object in two domains, each pooled inside its box.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "concord/geometry/bev_grid.hpp"

namespace concord::plugins::pnpda {

/// Which BEV cells lie inside each box. boxes: [N, 7] (x, y, z, l, w, h, yaw) in the
/// agent frame, m and rad, yaw about +z from +x; l along the heading. grid: the feature
/// map's extent (concord::BevGrid convention: cell (h, w) centred at x = x_min + (w + 0.5)
/// res, y = y_min + (h + 0.5) res). Returns [N, grid.height(), grid.width()] bool: true
/// where the cell centre (c_x, c_y) satisfies |u| <= l/2 and |v| <= w/2 with
/// u = (c_x − x) cos yaw + (c_y − y) sin yaw, v = −(c_x − x) sin yaw + (c_y − y) cos yaw
/// (z and h are ignored). Throws c10::Error when boxes is not [N, 7], concord::ConfigError
/// when grid is invalid.
at::Tensor box_cell_mask(const at::Tensor& boxes, const concord::BevGrid& grid);

/// Mean feature of each object's cells: feature [C, H, W] float32, masks [N, H, W] bool.
/// Uses the first `max_cells` cells of each mask in row-major order (all when max_cells
/// <= 0). The official loss samples at most 40 cells at random; a fixed order keeps the
/// loss deterministic. Returns [N, C] float32; an object without cells gives a zero row
/// (callers drop it). Throws c10::Error on shape mismatches.
at::Tensor pool_box_features(const at::Tensor& feature, const at::Tensor& masks, int64_t max_cells);

/// Semantic-calibrator InfoNCE. features_q, features_k: [B, C, H, W] float32 BEV features of
/// the same scenes in the two domains (official: q = the ego/base model's feature, k = the
/// collaborator's adapted feature), same frame and grid; boxes[b]: [N_b, 7] ground truth of
/// sample b (see box_cell_mask), on `grid` (grid.height() == H, grid.width() == W).
/// Objects of all samples with at least one cell are pooled (pool_box_features) into
/// q_i, k_i ∈ R^C, L2-normalised, and
///   loss = mean_i −log( exp(k_i·q_i / τ) / Σ_j exp(k_i·q_j / τ) )
/// (cross-entropy of the logits k·qᵀ/τ with label i, as the official code). Returns a
/// 0-dim float32 tensor; 0 (still connected to the inputs' graph) when no object has a
/// cell. Throws c10::Error on shape mismatches, boxes.size() != B or tau <= 0.
at::Tensor pnpda_contrastive_loss(const at::Tensor& features_q, const at::Tensor& features_k,
                                  const std::vector<at::Tensor>& boxes,
                                  const concord::BevGrid& grid, double tau = 0.1,
                                  int64_t max_cells = 40);

}  // namespace concord::plugins::pnpda
