#pragma once
/// \file
/// GoogleTest checks on a module's gradients after a backward pass.

#include <gtest/gtest.h>
#include <torch/nn/module.h>

namespace concord::test {

/// Every parameter of `m` has a defined, non-zero gradient (the backward pass reached it).
inline void expect_every_parameter_has_a_gradient(const torch::nn::Module& m) {
  for (const auto& item : m.named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}

}  // namespace concord::test
