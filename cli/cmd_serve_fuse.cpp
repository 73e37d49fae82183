// `ovlspec serve-fuse -o OPTS MOUNTPOINT`: the model's merged view of the layer directories named
// in the options, served read-only over FUSE (runners/fuse/). Stops on unmount, SIGINT or SIGTERM.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/disk_layers.hpp"
#include "ovl/features.hpp"
#include "ovl/fuse_model_fs.hpp"
#include "ovl/predict.hpp"
#include "semantics_args.hpp"

namespace ovl::cli {
namespace {

/// The model of the layers on disk; a refused option string or an unreadable layer is bad input.
std::shared_ptr<Prediction> model_from_disk(const std::string& options, const Semantics& sem) {
  DiskLayers disk;
  ObserveOptions oo;
  oo.probe_hidden = false;
  std::shared_ptr<Prediction> p;
  try {
    p = std::make_shared<Prediction>(predict_options(options, disk.source(), disk_path_probe(), sem, module_params(), oo));
  } catch (const LayerReadError& e) {
    throw BadInput(std::string("-o: ") + e.what());
  }
  if (!p->model)
    throw BadInput("-o '" + options + "': the mount would be refused: " + p->observation.mount.err + " [" +
                   p->observation.mount.clause + "] " + p->observation.mount.message);
  return p;
}

}  // namespace

void add_serve_fuse(CLI::App& app, Action& run) {
  struct Args {
    std::string options;
    std::string mountpoint;
    bool foreground = false;
    bool debug = false;
    SemanticsArgs sem;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("serve-fuse", "Serve the model's merged view of the layers named in -o over FUSE at MOUNTPOINT");
  sub->add_option("-o,--options", args->options, "mount options naming the layer directories, e.g. 'lowerdir=A:B'")->required();
  sub->add_option("MOUNTPOINT", args->mountpoint, "an existing directory to mount on")->required();
  sub->add_flag("-f,--foreground", args->foreground, "stay in the foreground (default: return once mounted)");
  sub->add_flag("-d,--debug", args->debug, "log every FUSE request to stderr (implies --foreground)");
  args->sem.add_to(*sub);
  sub->callback([args, &run] {
    run = [args] {
      struct stat st {};
      if (stat(args->mountpoint.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw BadInput("MOUNTPOINT '" + args->mountpoint + "': expected an existing directory");
      Semantics sem = args->sem.resolve(running_kernel_level());
      if (sem.data_only_middle || sem.dslash_redirect)
        throw BadInput("--semantics: serve-fuse serves kernel rules only (proposals are not served)");
      auto pred = model_from_disk(args->options, sem);
      ServeOptions so;
      so.debug = args->debug;
      if (args->foreground || args->debug) {
        try {
          return serve_model(*pred->model, args->mountpoint, so);
        } catch (const std::runtime_error& e) {
          throw CannotRunHere(e.what());
        }
      }
      // Background: the child serves; the parent returns once the mount is up (or the child failed).
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0) throw CannotRunHere("pipe2 failed");
      pid_t pid = fork();
      if (pid < 0) throw CannotRunHere("fork failed");
      if (pid == 0) {
        close(fds[0]);
        setsid();
        so.on_mounted = [fd = fds[1]] {
          if (write(fd, "M", 1) != 1) _exit(1);
          close(fd);
          int null = open("/dev/null", O_RDWR);
          if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
          }
        };
        int rc = 1;
        try {
          rc = serve_model(*pred->model, args->mountpoint, so);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "ovlspec serve-fuse: %s\n", e.what());
        }
        _exit(rc);
      }
      close(fds[1]);
      char c = 0;
      ssize_t n = read(fds[0], &c, 1);
      close(fds[0]);
      if (n != 1) throw CannotRunHere("the FUSE daemon did not mount " + args->mountpoint + " (see above)");
      std::printf("serving %s (pid %d); stop with: umount %s\n", args->mountpoint.c_str(), static_cast<int>(pid),
                  args->mountpoint.c_str());
      return int(kExitOk);
    };
  });
}

}  // namespace ovl::cli
