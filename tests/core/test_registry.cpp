// Registrar staging rules and Registry lookup/creation, without any library.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/modules/encoder.hpp"
#include "concord/modules/fusion.hpp"
#include "concord/registry.hpp"

namespace {

class Passthrough : public concord::Fusion {
 public:
  explicit Passthrough(double tag) : tag(tag) {}
  concord::FusionOutput forward(const concord::FusionInput& in) override {
    return {in.features * tag, {}};
  }
  double tag;
};

concord::PluginManifest manifest_for(const std::string& plugin) {
  concord::PluginManifest m;
  m.name = plugin;
  m.version = "1.0.0";
  return m;
}

concord::EntryOrigin origin(const std::string& plugin) {
  return concord::EntryOrigin{plugin, "1.0.0", "lib" + plugin + ".so", nullptr};
}

TEST(Registrar, RefusesBadEntries) {
  concord::Registrar r;
  auto make = [](const concord::ParamSet&) { return std::make_shared<Passthrough>(1.0); };
  r.add<concord::Fusion>("max", 1, make);
  EXPECT_THROW(r.add<concord::Fusion>("max", 1, make), concord::RegistryError);
  EXPECT_THROW(r.add<concord::Fusion>("", 1, make), concord::RegistryError);
  EXPECT_THROW(r.add<concord::Fusion>("max", 0, make), concord::RegistryError);
  EXPECT_THROW(r.add_factory("radar", "x", 1, [](const concord::ParamSet&) { return nullptr; }),
               concord::RegistryError);
  EXPECT_EQ(r.staged().size(), 1u);
}

TEST(Registry, HighestVersionWinsAndExactVersionIsHonoured) {
  concord::Registry registry;
  concord::Registrar r;
  r.add<concord::Fusion>("scale", 1,
                         [](const auto&) { return std::make_shared<Passthrough>(1.0); });
  r.add<concord::Fusion>("scale", 3,
                         [](const auto&) { return std::make_shared<Passthrough>(3.0); });
  registry.commit(r.take(), origin("p"), manifest_for("p"));
  auto latest =
      std::dynamic_pointer_cast<Passthrough>(registry.create<concord::Fusion>("scale", -1, {}));
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->tag, 3.0);
  auto v1 =
      std::dynamic_pointer_cast<Passthrough>(registry.create<concord::Fusion>("scale", 1, {}));
  EXPECT_EQ(v1->tag, 1.0);
  EXPECT_THROW(registry.create<concord::Fusion>("scale", 2, {}), concord::RegistryError);
}

TEST(Registry, DuplicateFromAnotherPluginIsRefusedAllOrNothing) {
  concord::Registry registry;
  concord::Registrar a;
  a.add<concord::Fusion>("max", 1, [](const auto&) { return std::make_shared<Passthrough>(1.0); });
  registry.commit(a.take(), origin("a"), manifest_for("a"));
  concord::Registrar b;
  b.add<concord::Fusion>("new", 1, [](const auto&) { return std::make_shared<Passthrough>(2.0); });
  b.add<concord::Fusion>("max", 1, [](const auto&) { return std::make_shared<Passthrough>(2.0); });
  try {
    registry.commit(b.take(), origin("b"), manifest_for("b"));
    FAIL();
  } catch (const concord::RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("already provided by plugin 'a'"), std::string::npos);
  }
  EXPECT_FALSE(registry.contains("fusion", "new"));  // nothing of b was added
}

TEST(Registry, FactoryErrorsAreTaggedWithThePlugin) {
  concord::Registry registry;
  concord::Registrar r;
  r.add<concord::Fusion>("bad", 1, [](const concord::ParamSet& p) -> std::shared_ptr<Passthrough> {
    return std::make_shared<Passthrough>(p.get_float("tag"));  // "tag" was never set
  });
  registry.commit(r.take(), origin("plug"), manifest_for("plug"));
  try {
    registry.create<concord::Fusion>("bad", 1, {});
    FAIL();
  } catch (const concord::RegistryError& e) {
    EXPECT_EQ(std::string(e.what()),
              "plugin 'plug' factory fusion/bad v1 failed: parameter 'tag' is not set");
  }
}

TEST(Registry, WrongModuleTypeForTheKindIsRefused) {
  concord::Registry registry;
  concord::Registrar r;
  // Registered as an encoder but builds a fusion module.
  r.add_factory("encoder", "liar", 1, [](const concord::ParamSet&) {
    return std::static_pointer_cast<torch::nn::Module>(std::make_shared<Passthrough>(1.0));
  });
  registry.commit(r.take(), origin("p"), manifest_for("p"));
  EXPECT_THROW(registry.create<concord::Encoder>("liar", 1, {}), concord::RegistryError);
}

TEST(Registry, ListIsInDataFlowOrder) {
  concord::Registry registry;
  concord::Registrar r;
  r.add<concord::Fusion>("f", 1, [](const auto&) { return std::make_shared<Passthrough>(1.0); });
  r.add_factory("encoder", "e", 1, [](const concord::ParamSet&) { return nullptr; });
  registry.commit(r.take(), origin("p"), manifest_for("p"));
  auto list = registry.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].kind, "encoder");
  EXPECT_EQ(list[1].kind, "fusion");
  // A factory that returns null is an error, not a crash.
  EXPECT_THROW(registry.create_module("encoder", "e", 1, {}), concord::RegistryError);
}

}  // namespace
