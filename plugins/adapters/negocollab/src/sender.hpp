#pragma once
/// \file
/// NegoCollab sender (official `ComminPub.send`; reference/negocollab-official-code.md §1.2;
/// paper eq. 1-2): local feature -> resizer -> ConvNeXt recombiner (= the local prompt)
/// -> fused axial-attention aligner (= the common-representation message).

#include <cstdint>

#include "axial_attention.hpp"
#include "concord/modules/sender.hpp"
#include "convnext.hpp"
#include "resize_net.hpp"

namespace concord::plugins::negocollab {

/// Sender parameters (plugin.toml factory "sender"/"negocollab"); defaults are the
/// official configuration.
struct SenderOptions {
  int64_t local_channels = 64;      ///< C_local of the agent's local feature
  double local_cell_size_m = 0.8;   ///< cell edge of the local BEV grid, m
  int64_t common_channels = 64;     ///< C_uni
  double common_cell_size_m = 0.8;  ///< cell edge of the common grid, m
  int64_t recombiner_blocks = 2;
  int64_t window = 8;
  int64_t heads = 4;  ///< dim_head = common_channels / heads
  int64_t mlp_dim = 64;
  double dropout = 0.1;
};

/// The sender-side output of one local feature: both tensors [B, C_common, H_c, W_c]
/// float32, agent frame, with H_c = resized_cells(H_local, local cell, common cell).
struct SenderOutputs {
  at::Tensor prompt;   ///< resizer + recombiner output (official `self.local_feature`)
  at::Tensor message;  ///< aligner output: what goes on the wire
};

/// NegoCollab sender. Trainable parameters with the defaults: 128968 (see the test).
class NegoCollabSender : public Sender {
 public:
  /// Throws c10::Error on invalid options (channel counts < 1, common_channels not a
  /// multiple of heads, cell sizes <= 0, dropout outside [0, 1)).
  explicit NegoCollabSender(const SenderOptions& options);
  /// local: [B, local_channels, H_local, W_local] float32, agent frame. Returns the
  /// message [B, common_channels, H_c, W_c]. Throws c10::Error on another shape.
  at::Tensor forward(const at::Tensor& local) override;
  /// Resizer + recombiner only: [B, common_channels, H_c, W_c] (the ego's prompt).
  at::Tensor local_prompt(const at::Tensor& local) override;
  /// Prompt and message of one pass (the aligner runs on the prompt).
  SenderOutputs send(const at::Tensor& local);
  const SenderOptions& options() const { return options_; }

 private:
  SenderOptions options_;
  ResizeNet resizer_{nullptr};
  ConvNeXt recombiner_{nullptr};
  AxialAttention aligner_{nullptr};
};

}  // namespace concord::plugins::negocollab
