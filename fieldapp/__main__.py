"""Allows `python -m fieldapp`."""

if __name__ == "__main__":  # not when multiprocessing starts a key slot child (store/keyderive.py)
    import multiprocessing

    multiprocessing.freeze_support()

    from fieldapp.cli import main

    raise SystemExit(main())
