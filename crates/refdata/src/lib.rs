//! Reference data: communes, basin grids, NAF rév. 2, locating an establishment.
