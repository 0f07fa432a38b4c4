#include "concord/plugin.hpp"
#include "receiver.hpp"
#include "sender.hpp"

namespace {

using concord::plugins::negocollab::NegoCollabReceiver;
using concord::plugins::negocollab::NegoCollabSender;
using concord::plugins::negocollab::ReceiverOptions;
using concord::plugins::negocollab::SenderOptions;

/// Builds the sender from the plugin.toml parameters (every key present: the host fills
/// defaults). Throws c10::Error for inconsistent values (see NegoCollabSender).
std::shared_ptr<concord::Sender> make_sender(const concord::ParamSet& p) {
  SenderOptions o;
  o.local_channels = p.get_int("local_channels");
  o.local_cell_size_m = p.get_float("local_cell_size_m");
  o.common_channels = p.get_int("common_channels");
  o.common_cell_size_m = p.get_float("common_cell_size_m");
  o.recombiner_blocks = p.get_int("recombiner_blocks");
  o.window = p.get_int("window_size");
  o.heads = p.get_int("heads");
  o.mlp_dim = p.get_int("mlp_dim");
  o.dropout = p.get_float("dropout");
  return std::make_shared<NegoCollabSender>(o);
}

/// Builds the receiver from the plugin.toml parameters.
std::shared_ptr<concord::Receiver> make_receiver(const concord::ParamSet& p) {
  ReceiverOptions o;
  o.local_channels = p.get_int("local_channels");
  o.local_cell_size_m = p.get_float("local_cell_size_m");
  o.common_channels = p.get_int("common_channels");
  o.common_cell_size_m = p.get_float("common_cell_size_m");
  o.recombiner_blocks = p.get_int("recombiner_blocks");
  o.window = p.get_int("window_size");
  o.heads = p.get_int("heads");
  return std::make_shared<NegoCollabReceiver>(o);
}

void register_factories(concord::Registrar& registrar, const concord::PluginContext&) {
  registrar.add<concord::Sender>("negocollab", 1, make_sender);
  registrar.add<concord::Receiver>("negocollab", 1, make_receiver);
}

}  // namespace

CONCORD_PLUGIN("negocollab", "1.0.0", register_factories, {"sender", "negocollab", 1},
               {"receiver", "negocollab", 1})
