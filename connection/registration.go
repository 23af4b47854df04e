package connection

import "github.com/wcsfsm/wcsfsm/fsm"

// RegistrationState is a status of RegistrationStatusEvent, the SIP
// registration of a WCS session, or RegistrationNew before any. The key of
// the entity is the sessionId.
//
// Grounded in RFC 3261 §10 (REGISTER): a registration is refreshed before it
// expires, and may be made again after it was removed. Deliberate choice: an
// authentication failure ends the registration for the session
// (AUTHENTICATION_FAIL is terminal), as the Web SDK gives up on it.
type RegistrationState uint8

const (
	// RegistrationNew: nothing seen yet.
	// May be followed by: AUTHENTICATION_FAIL, REGISTERED.
	RegistrationNew RegistrationState = iota
	// Registered: "SIP аккаунт зарегистрирован", SIP account registered.
	// May be followed by: AUTHENTICATION_FAIL, REGISTERED, UNREGISTERED.
	Registered
	// Unregistered: "SIP аккаунт разрегистрирован", SIP account unregistered.
	// May be followed by: AUTHENTICATION_FAIL, REGISTERED.
	Unregistered
	// AuthenticationFail: "Ошибка аутентификации", authentication error.
	// Terminal: nothing may follow.
	AuthenticationFail
)

var registrationNames = [...]string{
	RegistrationNew:    "NEW",
	Registered:         "REGISTERED",
	Unregistered:       "UNREGISTERED",
	AuthenticationFail: "AUTHENTICATION_FAIL",
}

func (s RegistrationState) String() string { return fsm.NameOf(registrationNames[:], s) }

// Registration is the declared machine of RegistrationStatusEvent.
var Registration = fsm.MustBuild(fsm.Spec[RegistrationState]{
	Name:    "RegistrationStatusEvent",
	Names:   registrationNames[:],
	Initial: RegistrationNew,
	Rules: []fsm.Rule[RegistrationState]{
		{Status: Registered, From: []RegistrationState{RegistrationNew, Registered, Unregistered},
			Why:    "first REGISTER; a refresh before expiry; registering again",
			Source: "RFC 3261 §10.2.1, §10.2.4 (refresh)"},
		{Status: Unregistered, From: []RegistrationState{Registered},
			Why:    "only a registered account can be unregistered",
			Source: "RFC 3261 §10.2.2 (removing bindings)"},
		{Status: AuthenticationFail, From: []RegistrationState{RegistrationNew, Registered, Unregistered},
			Why:    "the first REGISTER or a refresh was rejected (401/403)",
			Source: "RFC 3261 §22 (401/407 challenge), §21.4.4 (403)"},
	},
	Terminal: []RegistrationState{AuthenticationFail},
	Final:    []RegistrationState{RegistrationNew, Registered, Unregistered, AuthenticationFail},
})
