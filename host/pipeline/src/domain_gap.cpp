#include "concord/pipeline/domain_gap.hpp"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/negotiation.hpp"

namespace concord::pipeline {

namespace fs = std::filesystem;

double kl_domain_gap(const at::Tensor& feature, const at::Tensor& reference, double crop_ratio) {
  TORCH_CHECK(feature.dim() == 4 && feature.sizes() == reference.sizes(),
              "kl_domain_gap: feature and reference must be [B, C, H, W] of one shape, got ",
              feature.sizes(), " and ", reference.sizes());
  TORCH_CHECK(crop_ratio > 0.0 && crop_ratio <= 1.0, "kl_domain_gap: crop_ratio must be in (0, 1]",
              ", got ", crop_ratio);
  const at::Tensor ref = reference.to(at::kFloat);
  TORCH_CHECK(ref.min().item<float>() >= 0.0f,
              "kl_domain_gap: the reference must be non-negative (a ReLU output)");
  // Centre crop: the central crop_ratio of H and W (official crop_ratio 0.3).
  auto crop = [&](const at::Tensor& t) {
    const int64_t h = t.size(2), w = t.size(3);
    const int64_t ch = std::max<int64_t>(1, static_cast<int64_t>(h * crop_ratio + 0.5));
    const int64_t cw = std::max<int64_t>(1, static_cast<int64_t>(w * crop_ratio + 0.5));
    return t.narrow(2, (h - ch) / 2, ch).narrow(3, (w - cw) / 2, cw);
  };
  const at::Tensor log_q = at::log_softmax(crop(feature.to(at::kFloat)), 1);
  const at::Tensor p = crop(ref);
  // KLDivLoss(input = log q, target = p) element-wise: p · (log p − log q), 0 where p = 0.
  const at::Tensor kl = at::xlogy(p, p) - p * log_q;
  // Mean over H, W, then C, then B: all equal-sized, so the overall mean.
  return kl.mean().item<double>();
}

std::vector<DomainGapRow> measure_domain_gap(const ExperimentSpec& spec, const Registry& registry,
                                             const std::vector<PluginManifest>& manifests,
                                             const fs::path& alliance_dir, int64_t max_samples) {
  const AllianceManifest manifest = read_alliance(alliance_dir);
  std::vector<std::string> founders, names;
  for (const auto& m : manifest.members)
    if (m.founder) founders.push_back(m.agent);
  names = founders;
  for (const auto& m : manifest.members)
    if (!m.founder) names.push_back(m.agent);
  const auto members = load_frozen_members(spec, registry, manifests, names);
  const auto items = encode_pair_data(members, spec.data, spec.data.val_split, spec.data.loader,
                                      max_samples, "validate");
  if (items.empty())
    throw Error((spec.data.root / spec.data.val_split).string() + ": no agent-frames");

  std::vector<std::shared_ptr<Sender>> senders;
  std::vector<std::shared_ptr<Receiver>> receivers;
  for (const auto& n : names) {
    const AllianceMember* am = manifest.find(n);
    senders.push_back(
        registry.create<Sender>(am->sender.factory, am->sender.version, am->sender.params));
    receivers.push_back(
        registry.create<Receiver>(am->receiver.factory, am->receiver.version, am->receiver.params));
    load_member(alliance_dir, manifest, n, *senders.back(), *receivers.back());
  }
  std::shared_ptr<Negotiator> negotiator;
  if (manifest.negotiator.plugin != "none")
    negotiator = registry.create<Negotiator>(
        manifest.negotiator.factory, manifest.negotiator.version, manifest.negotiator.params);
  NegotiationModel model(senders, receivers, negotiator, manifest.common.channels,
                         members.front().detector->grid(), spec.losses);
  load_negotiator(alliance_dir, manifest, model.negotiator_bundle());  // checks the id
  model.set_joining(founders.size());
  std::string kind = "negotiated";
  if (!manifest.protocol_agent.empty()) {
    const auto it = std::find(founders.begin(), founders.end(), manifest.protocol_agent);
    if (it == founders.end())
      throw ConfigError((alliance_dir / "alliance.toml").string() + ": protocol_agent \"" +
                        manifest.protocol_agent + "\" is not a founder");
    model.set_protocol(static_cast<int64_t>(it - founders.begin()));
    kind = "protocol " + manifest.protocol_agent;
  }
  model.eval();
  at::NoGradGuard no_grad;
  std::vector<double> local_sum(names.size(), 0.0), sent_sum(names.size(), 0.0);
  for (const PairItem& item : items) {
    std::vector<at::Tensor> locals;  // pair data may be stored in bf16; measure in fp32
    for (const at::Tensor& l : item.locals) locals.push_back(l.to(at::kFloat));
    const at::Tensor p = model.negotiate(locals);
    for (size_t m = 0; m < names.size(); ++m) {
      local_sum[m] += kl_domain_gap(locals[m], p);
      sent_sum[m] += kl_domain_gap(model.sender(m).forward(locals[m]), p);
    }
  }
  std::vector<DomainGapRow> rows;
  const auto n = static_cast<double>(items.size());
  for (size_t m = 0; m < names.size(); ++m) {
    rows.push_back({names[m], kind + " (local)", local_sum[m] / n});
    rows.push_back({names[m], kind + " (sent)", sent_sum[m] / n});
  }
  return rows;
}

void merge_domain_gap_csv(const fs::path& csv, const std::vector<DomainGapRow>& rows) {
  std::vector<DomainGapRow> kept;
  if (fs::exists(csv)) {
    std::ifstream in(csv);
    std::string line;
    int n = 1;
    if (!std::getline(in, line) || line != "agent,representation,kl")
      throw Error(csv.string() + ":1: expected the header agent,representation,kl");
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      const size_t a = line.find(','), b = line.rfind(',');
      if (a == std::string::npos || a == b || line.find(',', a + 1) != b)
        throw Error(csv.string() + ":" + std::to_string(n) + ": expected agent,representation,kl");
      DomainGapRow r{line.substr(0, a), line.substr(a + 1, b - a - 1), 0.0};
      try {
        r.kl = std::stod(line.substr(b + 1));
      } catch (const std::exception&) {
        throw Error(csv.string() + ":" + std::to_string(n) + ": kl: expected a number");
      }
      const bool replaced = std::any_of(rows.begin(), rows.end(), [&](const DomainGapRow& x) {
        return x.representation == r.representation;
      });
      if (!replaced) kept.push_back(r);
    }
  }
  kept.insert(kept.end(), rows.begin(), rows.end());
  const fs::path tmp = csv.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "agent,representation,kl\n";
    for (const auto& r : kept) {
      char kl[32];
      std::snprintf(kl, sizeof kl, "%.6g", r.kl);
      out << r.agent << "," << r.representation << "," << kl << "\n";
    }
    out.close();
    if (!out) throw Error(tmp.string() + ": cannot write the domain-gap table");
  }
  fs::rename(tmp, csv);
}

}  // namespace concord::pipeline
