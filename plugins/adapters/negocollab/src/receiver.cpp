#include "receiver.hpp"

#include <ATen/ATen.h>

namespace concord::plugins::negocollab {

NegoCollabReceiver::NegoCollabReceiver(const ReceiverOptions& options) : options_(options) {
  TORCH_CHECK(options.local_cell_size_m > 0.0 && options.common_cell_size_m > 0.0,
              "negocollab receiver: cell sizes must be > 0 m");
  prompt_generator_ = register_module("prompt_generator", CbamBlock(options.common_channels));
  CrossDomainConverterOptions converter;
  converter.channels = options.common_channels;
  converter.heads = options.heads;
  converter.window = options.window;
  converter_ = register_module("converter", CrossDomainConverter(converter));
  recombiner_ =
      register_module("recombiner", ConvNeXt(options.common_channels, options.recombiner_blocks));
  unify2local_ =
      register_module("unify2local", ResizeNet(options.common_channels, options.local_channels));
}

std::pair<int64_t, int64_t> NegoCollabReceiver::local_size(int64_t h, int64_t w) const {
  return {resized_cells(h, options_.common_cell_size_m, options_.local_cell_size_m),
          resized_cells(w, options_.common_cell_size_m, options_.local_cell_size_m)};
}

at::Tensor NegoCollabReceiver::forward(const at::Tensor& common, const at::Tensor& ego_local) {
  const int64_t c = options_.common_channels;
  TORCH_CHECK(common.dim() == 4 && common.size(1) == c, "negocollab receiver: expected common [N, ",
              c, ", H, W], got ", common.sizes());
  TORCH_CHECK(
      ego_local.dim() == 4 && (ego_local.size(0) == 1 || ego_local.size(0) == common.size(0)) &&
          ego_local.size(1) == c && ego_local.size(2) == common.size(2) &&
          ego_local.size(3) == common.size(3),
      "negocollab receiver: expected the ego prompt [1 or N, ", c, ", ", common.size(2), ", ",
      common.size(3), "] (Sender::local_prompt on the common grid), got ", ego_local.sizes());
  const auto [h, w] = local_size(common.size(2), common.size(3));
  const int64_t n = common.size(0);
  if (n == 0) return at::zeros({0, options_.local_channels, h, w}, common.options());
  at::Tensor prompt = prompt_generator_->forward(ego_local);
  if (prompt.size(0) == 1) prompt = prompt.expand({n, -1, -1, -1});
  at::Tensor x = converter_->forward(common, prompt);
  return unify2local_->forward(recombiner_->forward(x), h, w);
}

}  // namespace concord::plugins::negocollab
