// Naive-sharing adapter through the real plugin: round trip and the shape refusal.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/modules/receiver.hpp"
#include "concord/modules/sender.hpp"
#include "test_support.hpp"

namespace {

TEST(IdentityAdapter, SenderThenReceiverReturnsTheLocalFeature) {
  auto registry = concord::test::registry_with("identity");
  auto sender = registry->create<concord::Sender>("identity", 1, {});
  auto receiver = registry->create<concord::Receiver>("identity", 1, {});
  at::Tensor local = at::randn({2, 4, 3, 5});
  at::Tensor out = receiver->forward(sender->forward(local), local.narrow(0, 0, 1));
  EXPECT_TRUE(at::equal(out, local));
}

TEST(IdentityAdapter, ReceiverRefusesMismatchedLocalSpace) {
  auto registry = concord::test::registry_with("identity");
  auto receiver = registry->create<concord::Receiver>("identity", 1, {});
  EXPECT_THROW(receiver->forward(at::zeros({1, 4, 3, 5}), at::zeros({1, 8, 3, 5})), c10::Error);
}

TEST(IdentityAdapter, KindIsCheckedOnCreate) {
  auto registry = concord::test::registry_with("identity");
  // There is a sender and a receiver called identity, but no encoder.
  EXPECT_THROW(registry->create_module("encoder", "identity", 1, {}), concord::RegistryError);
}

}  // namespace
