#include "sender.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::negocollab {

NegoCollabSender::NegoCollabSender(const SenderOptions& options) : options_(options) {
  TORCH_CHECK(options.local_cell_size_m > 0.0 && options.common_cell_size_m > 0.0,
              "negocollab sender: cell sizes must be > 0 m");
  resizer_ = register_module("resizer", ResizeNet(options.local_channels, options.common_channels));
  recombiner_ =
      register_module("recombiner", ConvNeXt(options.common_channels, options.recombiner_blocks));
  AxialAttentionOptions aligner;
  aligner.channels = options.common_channels;
  aligner.heads = options.heads;
  aligner.window = options.window;
  aligner.mlp_dim = options.mlp_dim;
  aligner.dropout = options.dropout;
  aligner_ = register_module("aligner", AxialAttention(aligner));
}

at::Tensor NegoCollabSender::local_prompt(const at::Tensor& local) {
  TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
              "negocollab sender: expected local [B, ", options_.local_channels, ", H, W], got ",
              local.sizes());
  const int64_t h =
      resized_cells(local.size(2), options_.local_cell_size_m, options_.common_cell_size_m);
  const int64_t w =
      resized_cells(local.size(3), options_.local_cell_size_m, options_.common_cell_size_m);
  return recombiner_->forward(resizer_->forward(local, h, w));
}

SenderOutputs NegoCollabSender::send(const at::Tensor& local) {
  SenderOutputs out;
  out.prompt = local_prompt(local);
  out.message = aligner_->forward(out.prompt);
  return out;
}

at::Tensor NegoCollabSender::forward(const at::Tensor& local) {
  return send(local).message;
}

}  // namespace concord::plugins::negocollab
