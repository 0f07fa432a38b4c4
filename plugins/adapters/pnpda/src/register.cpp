#include "concord/plugin.hpp"
#include "pnpda.hpp"
#include "pnpda_alignment.hpp"

namespace {

using concord::plugins::pnpda::PnpdaOptions;
using concord::plugins::pnpda::PnpdaReceiver;
using concord::plugins::pnpda::PnpdaSender;

/// The plugin.toml parameters (every key present: the host fills defaults) as options.
PnpdaOptions options_from(const concord::ParamSet& p) {
  PnpdaOptions o;
  o.local_channels = p.get_int("local_channels");
  o.local_cell_size_m = p.get_float("local_cell_size_m");
  o.target_channels = p.get_int("target_channels");
  o.target_cell_size_m = p.get_float("target_cell_size_m");
  o.target_space = p.get_string("target_space");
  o.heads = p.get_int("heads");
  o.d_ff = p.get_int("d_ff");
  o.enhancer_layers = p.get_int("enhancer_layers");
  o.converter_layers = p.get_int("converter_layers");
  o.dropout = p.get_float("dropout");
  return o;
}

/// Throws c10::Error for inconsistent values (see PnpdaSender / PnpdaReceiver).
std::shared_ptr<concord::Sender> make_sender(const concord::ParamSet& p) {
  return std::make_shared<PnpdaSender>(options_from(p));
}

std::shared_ptr<concord::Receiver> make_receiver(const concord::ParamSet& p) {
  return std::make_shared<PnpdaReceiver>(options_from(p));
}

/// PnPDA-P's calibrator objective from the "alignment"/"pnpda" parameters. Throws
/// c10::Error for tau <= 0 or a negative weight.
std::shared_ptr<concord::AlignmentLoss> make_alignment(const concord::ParamSet& p) {
  concord::plugins::pnpda::PnpdaAlignmentOptions o;
  o.tau = p.get_float("tau");
  o.max_cells = p.get_int("max_cells");
  o.weight = p.get_float("weight");
  return std::make_shared<concord::plugins::pnpda::PnpdaAlignmentLoss>(o);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("pnpda", 1, make_sender);
  registrar.add<concord::Receiver>("pnpda", 1, make_receiver);
  registrar.add<concord::AlignmentLoss>("pnpda", 1, make_alignment);
}

}  // namespace

CONCORD_PLUGIN("pnpda", "1.0.0", register_factories, {"sender", "pnpda", 1},
               {"receiver", "pnpda", 1}, {"alignment", "pnpda", 1})
