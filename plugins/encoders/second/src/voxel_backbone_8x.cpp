#include "voxel_backbone_8x.hpp"

#include <ATen/ATen.h>

#include <initializer_list>

namespace concord::plugins {
namespace {

const ConvGeometry kSubm{{3, 3, 3}, {1, 1, 1}, {1, 1, 1}};

// One level: a strided spconv then `subm` submanifold blocks, all `out` channels.
torch::nn::ModuleList level(int64_t in, int64_t out, const ConvGeometry& down, int subm) {
  torch::nn::ModuleList list;
  list->push_back(SparseConvBlock(in, out, down, /*submanifold=*/false));
  for (int i = 0; i < subm; ++i) list->push_back(SparseConvBlock(out, out, kSubm, true));
  return list;
}

// Runs a level: the first block builds its rule book; later submanifold blocks
// share one (spconv indice_key).
SparseTensor run(const torch::nn::ModuleList& blocks, SparseTensor x) {
  RuleBook subm_rules;
  bool have_subm = false;
  for (const auto& m : *blocks) {
    auto block = m->as<SparseConvBlockImpl>();
    if (block->conv()->submanifold()) {
      if (!have_subm) {
        subm_rules = block->rules_for(x);
        have_subm = true;
      }
      x = block->forward(x, subm_rules);
    } else {
      x = block->forward(x, block->rules_for(x));
    }
  }
  return x;
}

}  // namespace

VoxelBackbone8xImpl::VoxelBackbone8xImpl(const VoxelBackbone8xOptions& options,
                                         const Shape3& sparse_shape)
    : options_(options), sparse_shape_(sparse_shape) {
  TORCH_CHECK(options_.in_channels >= 1 && options_.out_channels >= 1,
              "second VoxelBackBone8x: channel counts must be >= 1, got ", options_.in_channels,
              " and ", options_.out_channels);
  const ConvGeometry down{{3, 3, 3}, {2, 2, 2}, {1, 1, 1}};
  const ConvGeometry down4{{3, 3, 3}, {2, 2, 2}, {0, 1, 1}};
  const ConvGeometry out{{3, 1, 1}, {2, 1, 1}, {0, 0, 0}};
  // Validate the whole chain up front: a too-small grid fails here, not in forward().
  Shape3 s = sparse_shape;
  for (const ConvGeometry* g : {&down, &down, &down4, &out}) s = conv_output_shape(s, *g);
  out_shape_ = s;

  conv_input_ =
      register_module("conv_input", SparseConvBlock(options_.in_channels, 16, kSubm, true));
  conv1_ = register_module("conv1", torch::nn::ModuleList(SparseConvBlock(16, 16, kSubm, true)));
  conv2_ = register_module("conv2", level(16, 32, down, 2));
  conv3_ = register_module("conv3", level(32, 64, down, 2));
  conv4_ = register_module("conv4", level(64, 64, down4, 2));
  conv_out_ = register_module("conv_out", SparseConvBlock(64, options_.out_channels, out, false));
}

SparseTensor VoxelBackbone8xImpl::forward(const SparseTensor& x) {
  TORCH_CHECK(x.spatial_shape == sparse_shape_, "second VoxelBackBone8x: input grid (",
              x.spatial_shape[0], ", ", x.spatial_shape[1], ", ", x.spatial_shape[2],
              ") differs from the configured (", sparse_shape_[0], ", ", sparse_shape_[1], ", ",
              sparse_shape_[2], ")");
  // conv_input and conv1 share the input sites' rule book ("subm1").
  const RuleBook subm1 = conv_input_->rules_for(x);
  SparseTensor h = conv_input_->forward(x, subm1);
  for (const auto& m : *conv1_) h = m->as<SparseConvBlockImpl>()->forward(h, subm1);
  h = run(conv2_, h);
  h = run(conv3_, h);
  h = run(conv4_, h);
  return conv_out_->forward(h, conv_out_->rules_for(h));
}

}  // namespace concord::plugins
