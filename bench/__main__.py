from bench.search import main

main()
