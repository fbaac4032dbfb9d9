{
  "targets": [
    {
      "target_name": "sae_blas",
      "sources": ["blas.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread"],
      "cflags": ["-O3", "-fno-math-errno"],
      "link_settings": {"libraries": ["-lopenblas", "-lm"]}
    }
  ]
}
