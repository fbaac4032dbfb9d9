{
  "targets": [
    {
      "target_name": "sae_blas",
      "sources": ["adam.c", "blas.c", "centered.c", "fused.c", "fused_napi.c", "loss.c", "norm.c", "pool.c", "sparse.c", "topk.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread"],
      "cflags": ["-O3", "-fno-math-errno", "-ffp-contract=off", "-fno-trapping-math", "-pthread"],
      "link_settings": {"libraries": ["-lopenblas", "-lm", "-pthread"]}
    }
  ]
}
