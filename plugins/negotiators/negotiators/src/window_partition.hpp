#pragma once
/// \file
/// Window partitions of a channels-last BEV map for sparse (windowed) attention, as the FAX /
/// CoBEVT SwapFusion block the NegoCollab sender uses (reference sheet §1.2 step 3):
/// local windows "(x w1)(y w2)" and the dilated grid "(w1 x)(w2 y)".

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace concord::plugins::negotiators {

/// Local: each window is a contiguous w x w block of cells. Grid: each window takes one cell
/// from every (H/w) x (W/w) block, i.e. w x w cells spaced H/w and W/w apart (global, sparse).
enum class WindowLayout { kLocal, kGrid };

/// `x` [N, H, W, C] with H, W multiples of `window` -> [N * (H/w) * (W/w), w * w, C]; window
/// index n * (H/w) * (W/w) + X * (W/w) + Y, token index i * w + j for in-window cell (i, j).
/// Local: cell (X w + i, Y w + j). Grid: cell (i H/w + X, j W/w + Y).
/// Throws c10::Error when x is not 4-d or H, W are not multiples of window.
at::Tensor partition_windows(const at::Tensor& x, int64_t window, WindowLayout layout);

/// Inverse of partition_windows: `windows` [N * (H/w) * (W/w), w * w, C] -> [N, H, W, C].
/// Throws c10::Error when the sizes do not match.
at::Tensor merge_windows(const at::Tensor& windows, int64_t batch, int64_t height, int64_t width,
                         int64_t window, WindowLayout layout);

}  // namespace concord::plugins::negotiators
