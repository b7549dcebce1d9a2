# etl worker (image layer)
