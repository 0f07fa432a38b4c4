#include "stamp.hpp"

#include <ATen/ATen.h>

#include <functional>

#include "resize_net.hpp"

namespace concord::plugins::stamp {

namespace {

void check_options(const StampOptions& o, const char* who) {
  TORCH_CHECK(o.local_channels >= 1 && o.protocol_channels >= 1 && o.hidden_channels >= 1, "stamp ",
              who, ": channel counts must be >= 1");
  TORCH_CHECK(o.local_cell_size_m > 0.0 && o.protocol_cell_size_m > 0.0, "stamp ", who,
              ": cell sizes must be > 0 m");
  TORCH_CHECK(o.blocks >= 1, "stamp ", who, ": blocks must be >= 1, got ", o.blocks);
}

}  // namespace

ConvNeXtAdapterImpl::ConvNeXtAdapterImpl(int64_t in_channels, int64_t out_channels,
                                         int64_t hidden_channels, int64_t blocks)
    : in_channels_(in_channels) {
  TORCH_CHECK(in_channels >= 1 && out_channels >= 1 && hidden_channels >= 1,
              "stamp adapter: channel counts must be >= 1");
  conv_in_ = register_module(
      "conv_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, hidden_channels, 1)));
  blocks_ = register_module("blocks", negocollab::ConvNeXt(hidden_channels, blocks));
  conv_out_ = register_module(
      "conv_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden_channels, out_channels, 1)));
}

at::Tensor ConvNeXtAdapterImpl::forward(const at::Tensor& x, int64_t out_h, int64_t out_w) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "stamp adapter: expected [N, ",
              in_channels_, ", H, W], got ", x.sizes());
  TORCH_CHECK(out_h >= 1 && out_w >= 1, "stamp adapter: output grid must be >= 1 x 1");
  at::Tensor y = x;
  if (x.size(2) != out_h || x.size(3) != out_w) {
    y = at::upsample_bilinear2d(x, {out_h, out_w}, /*align_corners=*/false);
  }
  return conv_out_->forward(blocks_->forward(conv_in_->forward(y)));
}

StampSender::StampSender(const StampOptions& options) : options_(options) {
  check_options(options, "sender");
  adapter_ =
      register_module("adapter", ConvNeXtAdapter(options.local_channels, options.protocol_channels,
                                                 options.hidden_channels, options.blocks));
}

at::Tensor StampSender::forward(const at::Tensor& local) {
  TORCH_CHECK(local.dim() == 4 && local.size(1) == options_.local_channels,
              "stamp sender: expected local [B, ", options_.local_channels, ", H, W], got ",
              local.sizes());
  const int64_t h = negocollab::resized_cells(local.size(2), options_.local_cell_size_m,
                                              options_.protocol_cell_size_m);
  const int64_t w = negocollab::resized_cells(local.size(3), options_.local_cell_size_m,
                                              options_.protocol_cell_size_m);
  return adapter_->forward(local, h, w);
}

at::Tensor StampSender::local_prompt(const at::Tensor& local) {
  return forward(local);
}

StampReceiver::StampReceiver(const StampOptions& options) : options_(options) {
  check_options(options, "receiver");
  reverter_ =
      register_module("reverter", ConvNeXtAdapter(options.protocol_channels, options.local_channels,
                                                  options.hidden_channels, options.blocks));
}

at::Tensor StampReceiver::revert(const at::Tensor& protocol) {
  TORCH_CHECK(protocol.dim() == 4 && protocol.size(1) == options_.protocol_channels,
              "stamp receiver: expected protocol [N, ", options_.protocol_channels, ", H, W], got ",
              protocol.sizes());
  const int64_t h = negocollab::resized_cells(protocol.size(2), options_.protocol_cell_size_m,
                                              options_.local_cell_size_m);
  const int64_t w = negocollab::resized_cells(protocol.size(3), options_.protocol_cell_size_m,
                                              options_.local_cell_size_m);
  return reverter_->forward(protocol, h, w);
}

at::Tensor StampReceiver::forward(const at::Tensor& common, const at::Tensor& ego_local) {
  TORCH_CHECK(ego_local.dim() == 4, "stamp receiver: expected ego_local [1 or N, C, H, W], got ",
              ego_local.sizes());
  return revert(common);
}

StampFeatureLoss stamp_feature_loss(const at::Tensor& local, const at::Tensor& protocol,
                                    const at::Tensor& adapted, const at::Tensor& reverted_protocol,
                                    const at::Tensor& reverted_adapted,
                                    const StampLossWeights& weights) {
  TORCH_CHECK(
      local.sizes() == reverted_protocol.sizes() && local.sizes() == reverted_adapted.sizes(),
      "stamp_feature_loss: local ", local.sizes(), ", R(F_P) ", reverted_protocol.sizes(),
      " and R(A(F_M)) ", reverted_adapted.sizes(), " must have one shape");
  TORCH_CHECK(protocol.sizes() == adapted.sizes(), "stamp_feature_loss: F_P ", protocol.sizes(),
              " and A(F_M) ", adapted.sizes(), " must have one shape");
  auto mse = [](const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kFloat) - b.to(at::kFloat)).pow(2).mean();
  };
  StampFeatureLoss out;
  out.protocol_to_local = mse(local, reverted_protocol);
  out.cycle = mse(local, reverted_adapted);
  out.local_to_protocol = mse(protocol, adapted);
  out.total = weights.protocol_to_local * out.protocol_to_local + weights.cycle * out.cycle +
              weights.local_to_protocol * out.local_to_protocol;
  return out;
}

StampFeatureLoss stamp_feature_loss(StampSender& sender, StampReceiver& receiver,
                                    const at::Tensor& local, const at::Tensor& protocol,
                                    const StampLossWeights& weights) {
  const at::Tensor adapted = sender.forward(local);
  return stamp_feature_loss(local, protocol, adapted, receiver.revert(protocol),
                            receiver.revert(adapted), weights);
}

LossTerms StampAlignmentLoss::forward(Sender& sender, Receiver& receiver, const at::Tensor& local,
                                      const at::Tensor& message, const at::Tensor& target,
                                      const AlignmentGroundTruth&) {
  TORCH_CHECK(target.sizes() == message.sizes(), "stamp alignment loss: target F_P ",
              target.sizes(), " and message A(F_M) ", message.sizes(), " must have one shape");
  std::function<at::Tensor(const at::Tensor&)> revert;
  if (auto* stamp = dynamic_cast<StampReceiver*>(&receiver)) {
    revert = [stamp](const at::Tensor& x) { return stamp->revert(x); };
  } else {  // another reverter: it reads the member's own prompt, as when receiving
    const at::Tensor prompt = sender.local_prompt(local);
    revert = [&receiver, prompt](const at::Tensor& x) { return receiver.forward(x, prompt); };
  }
  const StampFeatureLoss l =
      stamp_feature_loss(local, target, message, revert(target), revert(message), weights_);
  return {{"protocol_to_local", l.protocol_to_local},
          {"cycle", l.cycle},
          {"local_to_protocol", l.local_to_protocol},
          {"total", l.total}};
}

}  // namespace concord::plugins::stamp
