// Everything a MyceliumKit user touches in the core (pools, plan, wire format) comes with it,
// so an application imports one module.
@_exported public import MyceliumCore
