#include "concord/pipeline/checkpoint.hpp"

#include <toml++/toml.h>
#include <torch/serialize/archive.h>

#include <fstream>
#include <sstream>

#include "concord/error.hpp"
#include "concord/pipeline/weight_quant.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

namespace {

constexpr const char* kInt8Suffix = "__int8";
constexpr const char* kInt4Suffix = "__int4";
constexpr const char* kScaleSuffix = "__scale";

void atomic_write(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = path.string() + ".tmp";
  try {
    write(tmp);
    fs::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error(path.string() + ": cannot write checkpoint: " + e.what());
  }
}

// Module::load, except that each stored tensor is copied into the existing
// parameter or buffer (copy_ converts dtype and keeps its memory format), so
// fp16/bf16 weights load into an fp32 model; Module::load's set_ cannot change
// the dtype. Throws c10::Error naming the tensor on a missing entry or shape.
void load_weights(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                  const std::string& prefix = "") {
  torch::NoGradGuard no_grad;
  auto copy_in = [&](const std::string& name, at::Tensor& dst, bool is_buffer) {
    at::Tensor stored;
    if (!archive.try_read(name, stored, is_buffer)) {
      // A weight-only quantized entry (see save_weights): codes + fp16 scales.
      QuantizedWeight q;
      int bits = 8;
      if (!archive.try_read(name + kInt8Suffix, q.codes, is_buffer)) {
        bits = 4;
        archive.read(name + kInt4Suffix, q.codes, is_buffer);
      }
      archive.read(name + kScaleSuffix, q.scales, is_buffer);
      try {
        stored = dequantize_weight(q, bits, dst.sizes());
      } catch (const std::invalid_argument& e) {
        TORCH_CHECK(false, prefix + name, ": ", e.what());
      }
    }
    TORCH_CHECK(stored.sizes() == dst.sizes(), prefix + name, ": stored shape ", stored.sizes(),
                ", the model expects ", dst.sizes());
    dst.copy_(stored);
  };
  for (auto& p : module.named_parameters(/*recurse=*/false)) copy_in(p.key(), p.value(), false);
  for (auto& b : module.named_buffers(/*recurse=*/false)) copy_in(b.key(), b.value(), true);
  for (const auto& child : module.named_children()) {
    torch::serialize::InputArchive child_archive;
    archive.read(child.key(), child_archive);
    load_weights(*child.value(), child_archive, prefix + child.key() + ".");
  }
}

// Module::save, except that with bits = 8 or 4 every quantizable parameter
// (weight_quant.hpp) is written as `<name>__int8|__int4` codes plus
// `<name>__scale`; everything else is written as is.
void save_weights(const torch::nn::Module& module, torch::serialize::OutputArchive& archive,
                  int bits) {
  for (const auto& p : module.named_parameters(/*recurse=*/false)) {
    if (bits != 0 && quantizable(p.value())) {
      const QuantizedWeight q = quantize_weight(p.value(), bits);
      archive.write(p.key() + (bits == 8 ? kInt8Suffix : kInt4Suffix), q.codes);
      archive.write(p.key() + kScaleSuffix, q.scales);
    } else {
      archive.write(p.key(), p.value());
    }
  }
  for (const auto& b : module.named_buffers(/*recurse=*/false))
    archive.write(b.key(), b.value(), /*is_buffer=*/true);
  for (const auto& child : module.named_children()) {
    torch::serialize::OutputArchive child_archive(archive.compilation_unit());
    save_weights(*child.value(), child_archive, bits);
    archive.write(child.key(), child_archive);
  }
}

std::string component_key(const ComponentSpec& c) {
  return c.kind + ":" + c.plugin + "@" + c.plugin_version + ":" + c.factory + "/v" +
         std::to_string(c.version);
}

}  // namespace

void cast_floating(torch::nn::Module& model, c10::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) {
    if (p.is_floating_point() && p.scalar_type() != dtype) p.set_data(p.detach().to(dtype));
  }
  for (auto& b : model.buffers()) {
    if (b.is_floating_point() && b.scalar_type() != dtype) b.set_data(b.detach().to(dtype));
  }
}

bool checkpoint_exists(const fs::path& dir, const std::string& name) {
  return fs::exists(dir / (name + ".pt")) && fs::exists(dir / (name + ".toml"));
}

void save_checkpoint(const fs::path& dir, const std::string& name, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const CheckpointMeta& meta,
                     int weight_bits) {
  if (weight_bits != 0 && weight_bits != 8 && weight_bits != 4)
    throw Error((dir / (name + ".pt")).string() + ": weight_bits must be 0, 8 or 4, got " +
                std::to_string(weight_bits));
  fs::create_directories(dir);
  atomic_write(dir / (name + ".pt"), [&](const fs::path& tmp) {
    torch::serialize::OutputArchive archive;
    save_weights(model, archive, weight_bits);
    archive.save_to(tmp.string());
  });
  if (optimizer) {
    atomic_write(dir / (name + ".optim.pt"), [&](const fs::path& tmp) {
      torch::serialize::OutputArchive archive;
      optimizer->save(archive);
      archive.save_to(tmp.string());
    });
  }
  toml::table t;
  t.insert("epoch", meta.epoch);
  t.insert("val_loss", meta.val_loss);
  t.insert("best_val_loss", meta.best_val_loss);
  t.insert("best_epoch", meta.best_epoch);
  if (meta.best_val_ap >= 0.0) {
    t.insert("val_ap", meta.val_ap);
    t.insert("best_val_ap", meta.best_val_ap);
  }
  toml::array comps;
  for (const auto& c : meta.components) comps.push_back(component_key(c));
  t.insert("components", comps);
  if (weight_bits != 0) t.insert("weight_format", "int" + std::to_string(weight_bits));
  atomic_write(dir / (name + ".toml"), [&](const fs::path& tmp) {
    std::ofstream out(tmp);
    out << "# Concord checkpoint: the weights in " << name
        << ".pt belong to these plugins (kind:plugin@version:factory/vN)\n"
        << t << "\n";
    out.close();
    if (!out) throw std::runtime_error("write failed");
  });
}

CheckpointMeta load_checkpoint(const fs::path& dir, const std::string& name,
                               torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                               const std::vector<ComponentSpec>& expected) {
  const fs::path meta_path = dir / (name + ".toml");
  CheckpointMeta meta;
  toml::table t;
  try {
    t = toml::parse_file(meta_path.string());
  } catch (const std::exception& e) {
    throw Error(meta_path.string() + ": cannot read checkpoint record: " + e.what());
  }
  meta.epoch = static_cast<int>(t["epoch"].value_or(int64_t{0}));
  meta.val_loss = t["val_loss"].value_or(0.0);
  meta.best_val_loss = t["best_val_loss"].value_or(0.0);
  meta.best_epoch = static_cast<int>(t["best_epoch"].value_or(int64_t{0}));
  meta.val_ap = t["val_ap"].value_or(-1.0);
  meta.best_val_ap = t["best_val_ap"].value_or(-1.0);
  std::vector<std::string> recorded;
  if (auto* arr = t["components"].as_array()) {
    for (const auto& el : *arr) recorded.push_back(el.value_or(std::string()));
  }
  std::vector<std::string> wanted;
  for (const auto& c : expected) wanted.push_back(component_key(c));
  if (recorded != wanted) {
    std::string r, w;
    for (const auto& s : recorded) r += (r.empty() ? "" : ", ") + s;
    for (const auto& s : wanted) w += (w.empty() ? "" : ", ") + s;
    throw Error(meta_path.string() + ": checkpoint was trained with [" + r + "], expected [" + w +
                "]");
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from((dir / (name + ".pt")).string());
    load_weights(model, archive);
    if (optimizer && fs::exists(dir / (name + ".optim.pt"))) {
      torch::serialize::InputArchive opt_archive;
      opt_archive.load_from((dir / (name + ".optim.pt")).string());
      optimizer->load(opt_archive);
    }
  } catch (const c10::Error& e) {
    throw Error((dir / (name + ".pt")).string() +
                ": corrupt or incompatible checkpoint: " + e.what_without_backtrace());
  }
  return meta;
}

}  // namespace concord::pipeline
